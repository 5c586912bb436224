namespace Netstack.Dns.Resolver;

/// <summary>What the resolver decided for a message without going to the network.</summary>
internal enum DnsDisposition
{
    /// <summary>The response is written; send it.</summary>
    Answer,

    /// <summary>Send nothing (not a query, or too broken to answer).</summary>
    Drop,

    /// <summary>Not a local name: forward it upstream.</summary>
    Forward,
}
