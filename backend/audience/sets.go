package audience

import (
	"github.com/RoaringBitmap/roaring/v2"

	"portalstudio/backend/portal"
)

// PortalSets are the users' states under one settings document, as sets
// of user seqs. The sets may be shared (with the audiences they were
// made from, with each other): never change them.
type PortalSets struct {
	// Access: the portal is on and the access rule matches.
	Access *roaring.Bitmap
	// Restricted ⊆ Access: visibility is on and there are no conditions
	// or they match.
	Restricted *roaring.Bitmap
}

// Unrestricted returns Access minus Restricted (a new set).
func (p PortalSets) Unrestricted() *roaring.Bitmap { return roaring.AndNot(p.Access, p.Restricted) }

// State returns the state of the user with seq: portal.StateNone,
// StateOwn or StateAll.
func (p PortalSets) State(seq uint32) string {
	switch {
	case !p.Access.Contains(seq):
		return portal.StateNone
	case p.Restricted.Contains(seq):
		return portal.StateOwn
	}
	return portal.StateAll
}

// Counts returns how many of users are in each state.
func (p PortalSets) Counts(users int) portal.StateCounts {
	acc, res := int(p.Access.GetCardinality()), int(p.Restricted.GetCardinality())
	return portal.StateCounts{None: users - acc, All: acc - res, Own: res}
}

// Rules returns the rules whose audiences SetsOf needs for st: none when
// the portal is off, the access rule, and the visibility conditions when
// they restrict.
func Rules(st *portal.Settings) []*portal.Rule {
	if !st.Portal.Enabled || st.Access.Rule == nil {
		return nil
	}
	rules := []*portal.Rule{st.Access.Rule}
	if st.Visibility.RestrictToOwn && !st.Visibility.Conditions.IsEmpty() {
		rules = append(rules, st.Visibility.Conditions)
	}
	return rules
}

// SetsOf computes the sets of st, exactly as portal.Decide decides user
// by user, from the audiences of its rules: of returns the users a rule
// matches (SetsOf never changes the sets it returns).
func SetsOf(st *portal.Settings, of func(*portal.Rule) (*roaring.Bitmap, error)) (PortalSets, error) {
	empty := PortalSets{Access: roaring.New(), Restricted: roaring.New()}
	if !st.Portal.Enabled || st.Access.Rule == nil {
		return empty, nil
	}
	access, err := of(st.Access.Rule)
	if err != nil {
		return empty, err
	}
	out := PortalSets{Access: access, Restricted: roaring.New()}
	switch {
	case !st.Visibility.RestrictToOwn:
	case st.Visibility.Conditions.IsEmpty():
		out.Restricted = access
	default:
		conds, err := of(st.Visibility.Conditions)
		if err != nil {
			return empty, err
		}
		out.Restricted = roaring.And(access, conds)
	}
	return out, nil
}

// Impact is whom a change of settings affects: the four groups as sets.
type Impact struct {
	// Users is how many users there are.
	Users int
	// Before and After count the users in each state.
	Before, After portal.StateCounts
	groups        map[string]*roaring.Bitmap
	before, after PortalSets
}

// NewImpact compares the users' states under two documents, with four
// set differences:
//
//	gain_access         = access_after \ access_before
//	lose_access         = access_before \ access_after
//	become_restricted   = (access_before \ restricted_before) ∩ restricted_after
//	become_unrestricted = restricted_before ∩ (access_after \ restricted_after)
//
// Each group is made as one new set (the last two as an intersection
// less the restricted, not through the unrestricted sets: at a million
// users each set not made is up to 128 KB not allocated).
func NewImpact(users int, before, after PortalSets) *Impact {
	b, a := before, after
	becomeRestricted := roaring.And(a.Restricted, b.Access)
	becomeRestricted.AndNot(b.Restricted)
	becomeUnrestricted := roaring.And(b.Restricted, a.Access)
	becomeUnrestricted.AndNot(a.Restricted)
	return &Impact{Users: users, before: b, after: a, Before: b.Counts(users), After: a.Counts(users),
		groups: map[string]*roaring.Bitmap{
			portal.GainAccess:         roaring.AndNot(a.Access, b.Access),
			portal.LoseAccess:         roaring.AndNot(b.Access, a.Access),
			portal.BecomeRestricted:   becomeRestricted,
			portal.BecomeUnrestricted: becomeUnrestricted,
		}}
}

// Count returns how many users a group holds (0 for an unknown group).
func (im *Impact) Count(group string) int {
	if b := im.groups[group]; b != nil {
		return int(b.GetCardinality())
	}
	return 0
}

// States returns the states before and after of the user with seq.
func (im *Impact) States(seq uint32) (before, after string) {
	return im.before.State(seq), im.after.State(seq)
}

// Page returns up to limit seqs of a group from offset, increasing (none
// for an unknown group or an offset past its end).
func (im *Impact) Page(group string, offset, limit int) ([]uint32, error) {
	b := im.groups[group]
	if b == nil || limit <= 0 || offset < 0 || uint64(offset) >= b.GetCardinality() {
		return nil, nil
	}
	first, err := b.Select(uint32(offset))
	if err != nil {
		return nil, err
	}
	it := b.Iterator()
	it.AdvanceIfNeeded(first)
	var seqs []uint32
	for it.HasNext() && len(seqs) < limit {
		seqs = append(seqs, it.Next())
	}
	return seqs, nil
}

// Exposure is how users of one company A see the portal tickets of
// another company B.
type Exposure struct {
	// Users are the seqs of the users of A who see at least one ticket
	// of B.
	Users *roaring.Bitmap
	// ViaCompany: unrestricted members of both A and B (B's tickets are on
	// their All tab); ViaOwn: members of A with access who created a
	// ticket carrying B's company.
	ViaCompany, ViaOwn int
	// Tickets is how many portal tickets carry company B.
	Tickets int
}

// ExposureOf finds, with sets, the users of company A who see a portal
// ticket of company B under p: members of both who are not restricted
// (when B has portal tickets: membersB is nil when it has none), and
// members of A with access who created a portal ticket carrying B.
func ExposureOf(p PortalSets, membersA, membersB, creators *roaring.Bitmap, tickets int) Exposure {
	out := Exposure{Tickets: tickets}
	viaCompany := roaring.New()
	if tickets > 0 && membersB != nil {
		viaCompany = roaring.And(roaring.And(membersA, membersB), p.Unrestricted())
	}
	viaOwn := roaring.And(roaring.And(membersA, p.Access), creators)
	out.ViaCompany, out.ViaOwn = int(viaCompany.GetCardinality()), int(viaOwn.GetCardinality())
	out.Users = roaring.Or(viaCompany, viaOwn)
	return out
}
