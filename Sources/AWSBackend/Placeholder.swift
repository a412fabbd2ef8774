// Filled by the AWSBackend work.
