namespace Netstack.Dns.Names;

/// <summary>
/// Who asks a question: the sandbox a resolver serves (one resolver per sandbox, as in Docker), so
/// a name source can answer only with containers that share a network with it.
/// </summary>
public readonly record struct DnsAsker(string SandboxId);
