package session

import "encoding/json"

// Target is the code the session is about: the target recorded by its
// latest turn that had one (ContextSummary.Target), or "". A question
// asked in the session without a target of its own is about that code,
// and its turn records the target again, so that the turns after it
// keep it until one names another.
func (s *Session) Target() string {
	t, _ := s.TargetUnit()
	return t
}

// TargetUnit is Target and the name of the unit it resolved to when its
// turn recorded it (ContextSummary.TargetName; "" when none was): a
// PATH:LINE target that no longer leads to that code (the file renamed)
// is the unit still.
func (s *Session) TargetUnit() (target, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.st.Turns) - 1; i >= 0; i-- {
		if c := DecodeContext(json.RawMessage(s.st.Turns[i].Context)); c != nil && c.Target != "" {
			return c.Target, c.TargetName
		}
	}
	return "", ""
}
