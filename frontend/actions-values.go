package frontend

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"portalstudio/backend/portal"
)

// The value box's suggestions: the workspace's values of a text attribute
// that begin with what the admin typed, with how many hold each.

const (
	actionValues = "rule/values" // Value: valuesRequest
	stateValues  = "studio.values"
)

// valueSuggestionLimit is how many suggestions the box lists.
const valueSuggestionLimit = 8

// valuesRequest asks for the suggestions of one value box (Key: its
// condition) for what is typed in it.
type valuesRequest struct {
	Key    string
	Attr   string
	Prefix string
}

// valuesState is the latest suggestions, for the box named by Key.
type valuesState struct {
	Key    string
	Prefix string
	Values []portal.ValueCount
	Err    *WireError
}

func init() {
	app.Handle(actionValues, handleValues)
}

// handleValues asks for the suggestions; only the latest answer lands,
// and a newer request cancels the one in flight (the binding too).
func handleValues(ctx app.Context, a app.Action) {
	req, ok := a.Value.(valuesRequest)
	if !ok {
		return
	}
	n, cctx := startRequest(ctx, "values")
	var values []portal.ValueCount
	err := bridge().Call(cctx, "AttributeValues", &values, req.Attr, req.Prefix, valueSuggestionLimit)
	if err != nil && toWire(err).Code == codeCanceled {
		return
	}
	updateLatest(ctx, "values", n, stateValues, func(s *valuesState) {
		*s = valuesState{Key: req.Key, Prefix: req.Prefix, Values: values}
		if err != nil {
			s.Err = toWire(err)
		}
	})
}
