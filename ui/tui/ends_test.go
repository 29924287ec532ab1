package tui

import (
	"fmt"
	"strings"
	"testing"
)

// TestHomeEndScrollTheConversation: with the editor empty, Home (and
// Ctrl+Home) shows the conversation's first turn, End (and Ctrl+End) its
// end; with text in the editor they move in the text instead, and the
// conversation stays where it is.
func TestHomeEndScrollTheConversation(t *testing.T) {
	f := newFake()
	var pairs []string
	for i := 1; i <= 60; i++ {
		pairs = append(pairs, fmt.Sprintf("question number %d", i), fmt.Sprintf("answer number %d", i))
	}
	f.docs["llll"] = doc("llll", 60, pairs...)
	o := plain
	o.Session = "llll"
	h := newHarness(t, f, o, 80, 20)
	h.untilScreen("answer number 60")
	for _, keys := range [][2]string{{"home", "end"}, {"ctrl+home", "ctrl+end"}} {
		h.press(keys[0])
		h.untilScreen("question number 1 ")
		if strings.Contains(h.screen(), "answer number 60") {
			t.Fatalf("%s: the end still shows:\n%s", keys[0], h.screen())
		}
		h.press(keys[1])
		h.untilScreen("answer number 60")
		if h.m.conv.offset != 0 {
			t.Fatalf("%s: offset %d; want the end followed", keys[1], h.m.conv.offset)
		}
	}

	// Text in the editor: Home is the line's start.
	h.typeText("abc")
	h.press("home")
	h.typeText("X")
	h.press("end")
	h.typeText("Y")
	if got := h.m.input.value(); got != "XabcY" {
		t.Errorf("home and end in the editor: %q; want XabcY", got)
	}
	if h.m.conv.offset != 0 || strings.Contains(h.screen(), "question number 1 ") {
		t.Errorf("home with text in the editor scrolled the conversation (offset %d)", h.m.conv.offset)
	}
}
