package template

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotFound is matched (with errors.Is) by the error a Source's Get
// returns for a template id it does not have.
var ErrNotFound = errors.New("unknown template")

// Combine returns a Source made of sources, for example the built-ins and a
// plugin host: Combine(Builtins(), host).
//
// List concatenates the sources' lists, sorted by template id; it fails if
// two entries share an id, and the error names both. Get asks each source in
// order and returns the first template found; an error other than
// ErrNotFound stops the search and is returned. Nil sources are skipped.
func Combine(sources ...Source) Source {
	return combined(slices.DeleteFunc(slices.Clone(sources), func(s Source) bool { return s == nil }))
}

type combined []Source

func (c combined) List(ctx context.Context) ([]Description, error) {
	type entry struct {
		d      Description
		source int
	}
	var all []entry
	for i, s := range c {
		ds, err := s.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("template: list source %d: %w", i+1, err)
		}
		for _, d := range ds {
			all = append(all, entry{d, i + 1})
		}
	}
	slices.SortStableFunc(all, func(a, b entry) int { return strings.Compare(a.d.TemplateID, b.d.TemplateID) })
	out := make([]Description, len(all))
	for i, e := range all {
		if i > 0 && all[i-1].d.TemplateID == e.d.TemplateID {
			p := all[i-1]
			return nil, fmt.Errorf("template: duplicate template id %q: source %d has %q (version %s) and source %d has %q (version %s); remove or rename one",
				e.d.TemplateID, p.source, p.d.Name, p.d.Version, e.source, e.d.Name, e.d.Version)
		}
		out[i] = e.d
	}
	return out, nil
}

func (c combined) Get(ctx context.Context, id string) (Template, error) {
	for _, s := range c {
		t, err := s.Get(ctx, id)
		switch {
		case err == nil && t != nil:
			return t, nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return nil, fmt.Errorf("template: get %q: %w", id, ErrNotFound)
}
