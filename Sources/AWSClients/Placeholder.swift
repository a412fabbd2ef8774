// Filled by the AWSClients work.
