package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"portalstudio/backend/portal"
	"portalstudio/backend/studio"
)

// maxSettingsSize bounds a settings document read from a file.
const maxSettingsSize = 4 << 20

func runSettings(ctx context.Context, env *Env, args []string) error {
	// The flags are the same for every subcommand, so they may stand
	// before the subcommand too (settings --workspace W show).
	f := newCommandFlags("settings", env)
	which := f.String("settings", studio.Draft, "with show: draft or live")
	pos, err := parse(f.FlagSet, args, -1)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] == "" {
		return usagef("settings: say show, validate FILE or apply FILE")
	}
	sub, pos := pos[0], pos[1:]
	switch sub {
	case "show":
		if len(pos) > 0 {
			return usagef("settings show: unexpected argument %q", pos[0])
		}
		if err := oneOf("settings show", "settings", *which, studio.Draft, studio.Live); err != nil {
			return err
		}
		svc, done, err := f.existing()
		if err != nil {
			return err
		}
		defer done()
		st, err := svc.Settings(ctx, *which)
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(st.Canonical())
		return err
	case "validate", "apply":
		if len(pos) != 1 {
			if len(pos) == 0 {
				return usagef("settings %s: missing argument FILE (- reads stdin)", sub)
			}
			return usagef("settings %s: unexpected argument %q", sub, pos[1])
		}
		doc, err := readDoc(env, pos[0])
		if err != nil {
			return err
		}
		open := f.open
		if sub == "validate" {
			// Validating writes nothing, not even a new empty workspace.
			open = f.existing
		}
		svc, done, err := open()
		if err != nil {
			return err
		}
		defer done()
		var st *portal.Settings
		if sub == "validate" {
			st, err = svc.ValidateSettings(ctx, doc)
		} else {
			st, err = svc.ApplySettings(ctx, doc)
		}
		if err != nil {
			return err
		}
		if *f.json {
			return printJSON(env.Stdout, map[string]any{"valid": true, "applied": sub == "apply", "settings": st})
		}
		if sub == "validate" {
			fmt.Fprintf(env.Stdout, "%s is valid.\n", pos[0])
		} else {
			fmt.Fprintf(env.Stdout, "Applied %s as the draft settings.\n", pos[0])
		}
		return nil
	}
	return usagef("settings: unknown %q; say show, validate FILE or apply FILE", sub)
}

// readDoc reads a settings document from a file, or stdin for "-".
func readDoc(env *Env, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = env.Stdin
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return nil, portal.Errorf(portal.ENOTFOUND, "cannot read %s: %v", name, errReason(err))
		}
		defer fh.Close()
		r = fh
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSettingsSize+1))
	if err != nil {
		return nil, portal.Errorf(portal.EINVALID, "cannot read %s: %v", name, err)
	}
	if len(b) > maxSettingsSize {
		return nil, portal.Errorf(portal.ETOOLARGE, "%s is larger than %d MiB; a settings document is a few kilobytes", name, maxSettingsSize>>20)
	}
	return b, nil
}
