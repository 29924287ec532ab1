// Package app is aiex's one wiring point: New builds the services a command
// needs (the store, the providers, the capabilities) from a Config, and Close
// tears them down in order. Configuration loading lives here too.
//
// The capabilities themselves live in subpackages (app/ask, …) and reach
// storage and providers through small interfaces of their own.
package app
