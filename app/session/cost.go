package session

import (
	"context"
	"slices"
)

// markUnknownCosts marks the turns of session whose request was recorded
// as of unknown cost (db.Interaction.CostUnknown): the cost a turn records
// is its request's, which leaves out what a model of no known price cost.
// A failed read leaves them as they are.
func (s *Service) markUnknownCosts(ctx context.Context, session string, turns []Turn) {
	if len(turns) == 0 {
		return
	}
	unknown, err := s.st.UnknownCostRequests(ctx, []string{session})
	if err != nil || len(unknown[session]) == 0 {
		return
	}
	for i := range turns {
		if id := turns[i].InteractionID; id != "" && slices.Contains(unknown[session], id) {
			turns[i].CostUnknown = true
		}
	}
}
