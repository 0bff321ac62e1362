package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bkt-dev/bkt/internal/envelope"
	"github.com/bkt-dev/bkt/internal/ui"
)

// label names the running command in the envelope: a domain's command is
// its domain and its verb, the words under the domain joined by "-" the
// way the domains name their actions ("flatpak remote add" is "flatpak",
// "remote-add"); a top-level command belongs to bkt itself ("bkt",
// "status"). Aliases are read as the command's name.
func (a *App) label() (domain, action string) {
	if a.labelOverride[0] != "" {
		return a.labelOverride[0], a.labelOverride[1]
	}
	if a.cmd == nil {
		return labelOf("")
	}
	return labelOf(strings.TrimPrefix(a.cmd.CommandPath(), "bkt"))
}

// labelOf is the domain and action the envelope names for the command at
// path (without "bkt"): a domain and its verb words joined by "-"
// ("flatpak", "remote-add"), or "bkt" and a top-level command.
func labelOf(path string) (domain, action string) {
	words := strings.Fields(path)
	switch len(words) {
	case 0:
		return "bkt", ""
	case 1:
		return "bkt", words[0]
	}
	return words[0], strings.Join(words[1:], "-")
}

// envelope is the running command's envelope before it has any outcome.
func (a *App) envelope() *envelope.Envelope {
	domain, action := a.label()
	return envelope.New(a.execContext, domain, action)
}

// emit prints the running command's envelope, with payload under
// "result" (nil: none) and err as its outcome. Every command's --json
// output goes through here or printResult.
func (a *App) emit(payload any, err error) {
	e := a.envelope()
	e.Result = payload
	e.Fail(err)
	a.writeJSON(e)
}

// writeJSON prints the envelope, once.
func (a *App) writeJSON(e *envelope.Envelope) {
	enc := json.NewEncoder(ui.JSONWriter(a.Stdout))
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(e)
	a.printed = true
}

// Output is the payload of cobra's own text (help, completion scripts,
// --version) under --json.
type Output struct {
	Output string `json:"output"`
}

// flushCobra passes on what cobra wrote (help, completion scripts) to
// stdout; under --json it is the payload of the envelope, so stdout stays
// one object.
func (a *App) flushCobra(out *bytes.Buffer, err error) {
	if out.Len() == 0 {
		return
	}
	if !a.json {
		_, _ = a.Stdout.Write(out.Bytes())
		return
	}
	if a.printed || err != nil {
		_, _ = a.Stderr.Write(out.Bytes())
		return
	}
	a.emit(Output{Output: out.String()}, nil)
}

// setCommand records the command that runs, for the envelope's label:
// the first one known (the root's pre-run sees it; cobra returns it when
// it stopped before, on a parse error), so the outer "image" command does
// not replace the inner command it ran.
func (a *App) setCommand(cmd *cobra.Command) {
	if a.cmd == nil {
		a.cmd = cmd
	}
}

// orEmptySlice gives a payload's list as [] rather than null when empty, so
// a script can iterate it.
func orEmptySlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// note prints a sentence that is the command's whole answer: as a line,
// or under --json as the envelope's message.
func (a *App) note(format string, args ...any) {
	a.answer(func(msg string) { a.ui.Printf("%s\n", msg) }, fmt.Sprintf(format, args...))
}

// nothingToDo reports that the command found nothing to do: a ✓ line, or
// under --json the envelope with the sentence as its message.
func (a *App) nothingToDo(format string, args ...any) {
	a.answer(func(msg string) { a.ui.Done("%s", msg) }, fmt.Sprintf(format, args...))
}

// answer prints msg with line, or under --json as the envelope's message.
func (a *App) answer(line func(string), msg string) {
	if a.json {
		a.emit(envelope.Message{Message: msg}, nil)
		return
	}
	line(msg)
}

// emitRan prints the envelope of a command that ran ran on this machine
// (sync, apply): they are its local effect.
func (a *App) emitRan(ran []string, payload any, err error) {
	e := a.envelope()
	e.LocalEffect = envelope.LocalEffect{Executed: len(ran) > 0, Commands: orEmptySlice(ran)}
	e.Result = payload
	e.Fail(err)
	a.writeJSON(e)
}
