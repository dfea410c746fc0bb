"""One module per command group. Thin: parse options, call the store or the rules,
render. Heavy modules are imported inside the command functions."""
