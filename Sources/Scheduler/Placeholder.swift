// Filled by the Scheduler work.
