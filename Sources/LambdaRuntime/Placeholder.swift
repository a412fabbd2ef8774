// Filled by the LambdaRuntime work.
