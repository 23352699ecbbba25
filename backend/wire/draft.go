package wire

import "portalstudio/backend/portal"

// DraftResult answers a save of the draft made while the admin edits:
// the saved settings, or, when the document is not valid yet (an
// intermediate edit), why, with each problem's JSON path, and nothing
// saved. An invalid document is an expected answer here, not an error.
type DraftResult struct {
	Settings *portal.Settings `json:"settings,omitempty"`
	Message  string           `json:"message,omitempty"`
	Problems []portal.Problem `json:"problems,omitempty"`
}
