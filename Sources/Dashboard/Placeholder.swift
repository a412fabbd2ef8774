// Filled by the Dashboard work.
