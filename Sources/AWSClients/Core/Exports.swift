/// The signer's credential types (`AWSCredentials`, the providers, the region resolver) are part
/// of this module's API, so callers that import `AWSClients` see them without a second import.
@_exported import AWSSigner
