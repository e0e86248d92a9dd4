package market

import (
	"errors"

	"p2pdesk/api"
)

// ErrNotFound is what a store returns for a missing row.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is what a store returns when a unique key already exists.
var ErrDuplicate = errors.New("duplicate key")

func notFound(what string) *api.Error {
	return api.Errorf(api.CodeNotFound, "", "%s not found", what)
}
