package intercom

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"portalstudio/backend/portal"
)

// CustomValue types one custom attribute value as decoded by encoding/json
// (string, float64 or json.Number, bool, nil, map, slice). ok is false for
// values that are not kept: null, "", objects and arrays.
//
//   - a string in RFC 3339 ("2024-05-01T10:00:00Z") is a date, in UTC;
//   - any other non-empty string is a string;
//   - a number is a number, except under a key ending in "_at" or "_date"
//     (in any case), where Intercom keeps dates as Unix seconds: a date;
//   - true and false are booleans.
func CustomValue(key string, raw any) (portal.Value, bool) {
	switch v := raw.(type) {
	case string:
		if v == "" {
			return portal.Value{}, false
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return portal.Value{Kind: portal.KindDate, Time: t.UTC()}, true
		}
		return portal.Value{Kind: portal.KindString, Str: v}, true
	case bool:
		return portal.Value{Kind: portal.KindBoolean, Bool: v}, true
	case float64:
		return customNumber(key, v, strconv.FormatFloat(v, 'f', -1, 64))
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return portal.Value{}, false
		}
		return customNumber(key, f, v.String())
	case int:
		return customNumber(key, float64(v), strconv.Itoa(v))
	case int64:
		return customNumber(key, float64(v), strconv.FormatInt(v, 10))
	}
	return portal.Value{}, false
}

func customNumber(key string, f float64, text string) (portal.Value, bool) {
	k := strings.ToLower(key)
	if strings.HasSuffix(k, "_at") || strings.HasSuffix(k, "_date") {
		t, ok := unixTime(text)
		if !ok {
			return portal.Value{}, false
		}
		return portal.Value{Kind: portal.KindDate, Time: t}, true
	}
	return portal.Value{Kind: portal.KindNumber, Num: f}, true
}
