package chunk

import "testing"

func TestPieceOf(t *testing.T) {
	for name, want := range map[string]string{
		PieceName("http.(*Server).Serve", 2): "http.(*Server).Serve",
		"MyApp.big/1#12":                     "MyApp.big/1",
		`test "regression #2"`:               "",
		"README.md#":                         "",
		"#3":                                 "",
		"x#2a":                               "",
	} {
		got, ok := PieceOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("PieceOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}
