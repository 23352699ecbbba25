package studio_test

import (
	"context"
	"reflect"
	"testing"

	"portalstudio/backend/portal"
)

func TestAttributeValues(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		// No limit asks for 20.
		got, err := svc.AttributeValues(ctx, "user.role", "", 0)
		if want := []portal.ValueCount{{Value: "user", Count: 2}, {Value: "lead", Count: 1}}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("user.role: %v %v, want %v", got, err, want)
		}
		got, err = svc.AttributeValues(ctx, "company.name", "GL", 5)
		if want := []portal.ValueCount{{Value: "Globex", Count: 1}}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("company.name GL: %v %v, want %v", got, err, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range []struct {
			attr  string
			limit int
		}{{"user.signed_up_at", 5}, {"user.nope", 5}, {"user.role", 500}} {
			if _, err := svc.AttributeValues(ctx, c.attr, "", c.limit); portal.ErrorCode(err) != portal.EINVALID {
				t.Errorf("%s limit %d: %v, want EINVALID", c.attr, c.limit, err)
			}
		}
	})
}
