package calc

import "testing"

func TestDiv(t *testing.T) {
	if Div(6, 3) != 2 {
		t.Fatal("6/3")
	}
	t.Log(Div(1, 0))
}

func TestAfter(t *testing.T) {}
