package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/testenv/tabletest"
)

func TestClean(t *testing.T) {
	tabletest.Strings(t, "Clean", Clean, map[string]string{
		"plain text":                              "plain text",
		"two\nlines\tand a tab":                   "two\nlines\tand a tab",
		"Bad credentials\x1b]0;HACKED\a\x1b[2J":   "Bad credentials",
		"title \x1b]2;x\x1b\\ kept":               "title  kept",
		"\x1b[31mred\x1b[0m":                      "red",
		"\x1b[?1049h alt screen":                  " alt screen",
		"reset\x1bc":                              "reset",
		"charset\x1b(B":                           "charset",
		"bell\a and backspace\b":                  "bell and backspace",
		"over\rwrite":                             "over\nwrite",
		"crlf\r\n":                                "crlf\n",
		"del\x7f":                                 "del",
		"c1 csi \u009b2J and osc \u009d0;t\u009c": "c1 csi  and osc ",
		"raw 8-bit csi \x9b2J":                    "raw 8-bit csi \uFFFD2J",
		"unterminated \x1b]0;title\nnext":         "unterminated \nnext",
		"dangling esc\x1b":                        "dangling esc",
		"ünïcödé ✓":                               "ünïcödé ✓",
	})
}

func TestCleanLine(t *testing.T) {
	if got := CleanLine("a\nb\tc\x1b[2Kd\re"); got != "a b cd e" {
		t.Errorf("got %q", got)
	}
}

// Every printer cleans what it prints, and bkt's own colours survive.
func TestPrintersCleanOutsideText(t *testing.T) {
	const evil = "x\x1b]0;HACKED\a\x1b[2J\x7fy"
	var out, errw bytes.Buffer
	u := New(&out, &errw, false)
	u.Color = true
	u.Done("%s", evil)
	u.Failed("%s", evil)
	u.Info("%s", evil)
	u.Printf("%s\n", evil)
	u.Heading(evil)
	u.Table([]string{"ID"}, [][]string{{evil}})
	fmt.Fprintf(u.Log(), "%s\n", evil)
	u.Error(fail.New(fail.Network, "%s", evil).WithDetail("%s", evil).Suggest(evil).Next("Retry: " + evil))
	for name, s := range map[string]string{"stdout": out.String(), "stderr": errw.String()} {
		if strings.Contains(s, "HACKED") || strings.Contains(s, "\x1b]") || strings.Contains(s, "\x1b[2J") || strings.Contains(s, "\r") || strings.Contains(s, "\a") {
			t.Errorf("%s keeps terminal control: %q", name, s)
		}
		if !strings.Contains(s, "xy") {
			t.Errorf("%s lost the text: %q", name, s)
		}
	}
	if !strings.Contains(out.String(), green+"✓"+reset+" xy\n") || !strings.Contains(errw.String(), red+"Error:"+reset+" xy\n") {
		t.Errorf("colours lost:\n%q\n%q", out.String(), errw.String())
	}
}

func TestStepLinesStayOneLine(t *testing.T) {
	var out bytes.Buffer
	u := New(&out, &out, true)
	u.Done("pushed %s", "bkt/x\n✓ Pull request opened: https://evil.example")
	if got := out.String(); strings.Count(got, "\n") != 1 {
		t.Errorf("got %q", got)
	}
}

func TestJSONWriterEscapesWhatTheEncoderLeaves(t *testing.T) {
	var out bytes.Buffer
	enc := json.NewEncoder(JSONWriter(&out))
	if err := enc.Encode(map[string]string{"m": "a\x1bb\x7fc\u009bd ✓"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), `{"m":"a\u001bb\u007fc\u009bd ✓"}`+"\n"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back["m"] != "a\x1bb\x7fc\u009bd ✓" {
		t.Errorf("does not decode back: %q %v", back["m"], err)
	}
}
