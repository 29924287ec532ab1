package cli

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
)

// countFlags makes every integer flag and argument refuse a negative value
// (or one below its min tag: min:"1") while it is parsed. Each of aiex's integers counts something (a limit,
// days, tokens, checkpoints to keep, an event id), and without this kong
// reads "-n -1" as a flag and suggests --limit="-1", a value the command
// then refuses. An integer that may be negative would need a type of its
// own.
func countFlags() kong.Option {
	return kong.OptionFunc(func(k *kong.Kong) error {
		defaults := kong.NewRegistry().RegisterDefaults()
		for _, t := range []reflect.Type{reflect.TypeFor[int](), reflect.TypeFor[int8](), reflect.TypeFor[int16](),
			reflect.TypeFor[int32](), reflect.TypeFor[int64]()} {
			if err := kong.KindMapper(t.Kind(), countMapper{defaults.ForType(t)}).Apply(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// countMapper decodes an integer with kong's own mapper, refusing
// negative values. Its errors do not suggest a value that would be
// refused in turn (kong's "perhaps try --limit="-1"?").
type countMapper struct{ int kong.Mapper }

func (m countMapper) Decode(ctx *kong.DecodeContext, target reflect.Value) error {
	// The least value allowed: 0, or the field's min tag (min:"1").
	least := int64(0)
	if ctx.Value != nil && ctx.Value.Tag != nil && ctx.Value.Tag.Has("min") {
		var err error
		if least, err = ctx.Value.Tag.GetInt("min"); err != nil {
			return fmt.Errorf("bad min tag: %w", err)
		}
	}
	t := ctx.Scan.Peek()
	if t.IsEOL() {
		return fmt.Errorf("needs a number (%d or more)", least)
	}
	s, isText := t.Value.(string)
	if isText {
		// kong takes "-1" after a flag for a flag: catch it first.
		if n, err := strconv.ParseInt(s, 0, 64); err == nil && n < least {
			ctx.Scan.Pop()
			return fmt.Errorf("must be %d or more, not %s", least, s)
		}
		if strings.HasPrefix(s, "-") && t.Type != kong.FlagValueToken {
			return fmt.Errorf("needs a number (%d or more), not %s", least, s)
		}
	}
	if err := m.int.Decode(ctx, target); err != nil {
		if isText {
			return fmt.Errorf("%q is not a whole number (%d or more)", s, least)
		}
		return err
	}
	if n := target.Int(); n < least {
		return fmt.Errorf("must be %d or more, not %d", least, n)
	}
	return nil
}
