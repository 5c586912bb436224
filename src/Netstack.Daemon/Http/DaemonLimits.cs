namespace Netstack.Daemon.Http;

/// <summary>Request limits.</summary>
internal static class DaemonLimits
{
    /// <summary>1 MiB: the largest JSON body any route takes (a network create with many options is a few kB).</summary>
    public const long MaxJsonBodyBytes = 1 << 20;
}
