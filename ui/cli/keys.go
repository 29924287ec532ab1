package cli

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
)

// KeysCmd manages the provider API keys stored, encrypted, on this node.
type KeysCmd struct {
	Set  KeysSetCmd  `cmd:"" help:"Store a provider's API key: typed at a hidden prompt, or the first line of stdin."`
	List KeysListCmd `cmd:"" help:"List stored keys by provider and fingerprint (never the keys themselves)."`
	Rm   KeysRmCmd   `cmd:"" help:"Delete a provider's stored key."`
}

// KeysSetCmd stores a key. It has no argument or flag for the key itself:
// on the command line a key would stay in the shell's history and show in ps.
type KeysSetCmd struct {
	Provider string `arg:"" help:"Provider name, e.g. openai (letters, digits, - and _)."`
	// Key catches a key typed on the command line anyway, so that the
	// refusal does not echo it back the way a parse error would.
	Key []string `arg:"" optional:"" help:"Refused: a key on the command line stays in shell history; use the prompt or stdin."`
}

// maxSecretBytes bounds a key read from stdin.
const maxSecretBytes = 64 << 10

// Run reads the key, stores it and prints its fingerprint.
func (k *KeysSetCmd) Run(c *Context) error {
	if len(k.Key) > 0 {
		return usererr.Usage("aiex keys set takes the key from a prompt or stdin, never from the command line (it would stay in your shell history); run: aiex keys set %s", k.Provider)
	}
	if err := keys.ValidateProvider(k.Provider); err != nil {
		return err
	}
	if err := checkKeyProvider(c, k.Provider); err != nil {
		return err
	}
	// Read the key before opening the store, so that the data dir is not
	// locked while someone types.
	secret, err := readSecret(c, k.Provider)
	if err != nil {
		return err
	}
	if strings.TrimSpace(secret) == "" {
		return usererr.Usage("no API key given for %s; type it at the prompt (run aiex keys set %s in a terminal) or pipe it on stdin (aiex keys set %s < key.txt)",
			k.Provider, k.Provider, k.Provider)
	}
	e, err := viaNode(c, func(cl *node.Client) (keys.Entry, error) {
		list, err := cl.Keys(c, node.KeysRequest{Op: "set", Provider: k.Provider, Secret: secret})
		if err != nil || len(list) != 1 {
			return keys.Entry{}, cmp.Or(err, errors.New("keys set: the node returned no entry"))
		}
		return list[0], nil
	}, func(core *app.App) (keys.Entry, error) { return core.Keys.Set(c, k.Provider, secret) })
	if err != nil {
		return err
	}
	warnKeyEnv(c, k.Provider)
	if c.Out.JSON {
		return c.Out.PrintJSON(e)
	}
	_, err = fmt.Fprintf(c.Out.Out, "stored key for %s (%s)\n", e.Provider, e.Fingerprint)
	return err
}

// warnKeyEnv says, on stderr, that the key just stored for provider is not
// the one sent while the variable its api_key_env names is set (see
// app.KeyEnvSet): stored all the same, it is used once the variable is
// unset. It reads this process's environment, which a node started from
// the same shell shares.
func warnKeyEnv(c *Context, provider string) {
	cfg, err := c.appConfig()
	if err != nil {
		return
	}
	if v := app.KeyEnvSet(cfg.File.Providers[provider], c.Getenv); v != "" {
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s is set and the config's api_key_env for %s names it, so the key sent is its value, not the stored one, until it is unset\n",
			v, provider)
	}
}

// checkKeyProvider refuses a key that no provider would use: name must be
// a configured provider that takes a key or, with none configured, openai
// or anthropic. A typo would store a key nothing reads; a key pasted in
// the name's place would be kept in clear as a name and shown by keys
// list. The error does not repeat the name.
func checkKeyProvider(c *Context, name string) error {
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	names := app.KeyedProviders(cfg.File)
	if slices.Contains(names, name) {
		return nil
	}
	if pc, ok := cfg.File.Providers[name]; ok && cmp.Or(pc.Kind, name) == "ollama" {
		// The name is one the config gives, so it is no pasted key and
		// may be repeated: the provider exists, it only takes no key.
		if len(names) == 0 {
			return usererr.Usage("%s is an Ollama provider, and those take no API key; none of the providers in %s does", name, cfg.ConfigPath)
		}
		return usererr.Usage("%s is an Ollama provider, and those take no API key; name one of %s", name, strings.Join(names, ", "))
	}
	if len(names) == 0 {
		return usererr.Usage("none of the providers in %s takes an API key; add one there first (e.g. [providers.openai])", cfg.ConfigPath)
	}
	return usererr.Usage("no provider of that name takes an API key: name one of %s, or add the provider to %s first",
		strings.Join(names, ", "), cfg.ConfigPath)
}

// readSecret reads the key: at a prompt that does not echo when stdin is a
// terminal, else the first line of stdin.
func readSecret(c *Context, provider string) (string, error) {
	if c.StdinTTY {
		return promptSecret(c, provider)
	}
	if c.Stdin == nil {
		return "", nil
	}
	line, err := bufio.NewReader(io.LimitReader(c.Stdin, maxSecretBytes+1)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("keys set: read stdin: %w", err)
	}
	if len(line) > maxSecretBytes {
		return "", usererr.Usage("the API key on stdin is longer than %d KiB; give the key alone on the first line", maxSecretBytes>>10)
	}
	return line, nil
}

// promptSecret reads a line from the terminal on stdin with echo off.
func promptSecret(c *Context, provider string) (string, error) {
	f, ok := c.Stdin.(interface{ Fd() uintptr })
	if !ok {
		return "", errors.New("keys set: stdin is a terminal but not a file")
	}
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("keys set: terminal: %w", err)
	}
	fmt.Fprintf(c.Out.Err, "API key for %s (input hidden): ", provider)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(c.Out.Err)
		if r.err != nil && !(errors.Is(r.err, io.EOF) && len(r.b) == 0) {
			return "", fmt.Errorf("keys set: read terminal: %w", r.err)
		}
		return string(r.b), nil
	case <-c.Done():
		// Ctrl-C: ReadPassword cannot be interrupted, so turn echo back on
		// here. Its goroutine stays blocked on the terminal until the
		// process exits, which it does as this command returns.
		term.Restore(fd, state)
		fmt.Fprintln(c.Out.Err)
		return "", c.Err()
	}
}

// KeysListCmd lists stored keys.
type KeysListCmd struct{}

// Run prints the table or, with --json, an array.
func (*KeysListCmd) Run(c *Context) error {
	list, err := viaNode(c, func(cl *node.Client) ([]keys.Entry, error) { return cl.Keys(c, node.KeysRequest{Op: "list"}) },
		func(core *app.App) ([]keys.Entry, error) { return core.Keys.List(c) })
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(nonNil(list))
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(c.Out.Out, "No keys stored; add one with: aiex keys set PROVIDER")
		return err
	}
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("PROVIDER\tFINGERPRINT\tCREATED"))
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Provider, e.Fingerprint, e.CreatedAt.Local().Format("2006-01-02 15:04:05"))
	}
	return tw.Flush()
}

// KeysRmCmd deletes a stored key.
type KeysRmCmd struct {
	Provider string `arg:"" help:"Provider whose key to delete."`
}

// Run deletes the key; a provider with no key is an error naming those
// that have one.
func (k *KeysRmCmd) Run(c *Context) error {
	if err := keys.ValidateProvider(k.Provider); err != nil {
		return err
	}
	_, err := viaNode(c, func(cl *node.Client) ([]keys.Entry, error) {
		return cl.Keys(c, node.KeysRequest{Op: "rm", Provider: k.Provider})
	},
		func(core *app.App) ([]keys.Entry, error) { return nil, core.Keys.Delete(c, k.Provider) })
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(struct {
			Provider string `json:"provider"`
			Removed  bool   `json:"removed"`
		}{k.Provider, true})
	}
	_, err = fmt.Fprintf(c.Out.Out, "removed key for %s\n", k.Provider)
	return err
}
