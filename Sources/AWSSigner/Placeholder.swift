// Filled by the AWSSigner work.
