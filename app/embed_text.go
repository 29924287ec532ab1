package app

import (
	"strings"

	"github.com/aiex-dev/aiex/app/usererr"
)

// embedErrorText is why embeddings were not made or used, as a warning
// shows it: a mistake's message alone, and the embedding model's failure
// without the name of the package that reports it.
func embedErrorText(err error) string {
	if ue := usererr.As(err); ue != nil {
		return ue.Msg
	}
	return strings.TrimPrefix(err.Error(), "search: ")
}
