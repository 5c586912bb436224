using System.Net;

namespace Netstack.TestKit;

/// <summary>ICMP reachability checks from inside a test namespace, with busybox ping (no packet leaves the namespaces).</summary>
public static class NamespacePing
{
    /// <summary>One ICMP echo with a one-second wait; for checks that expect no answer.</summary>
    public static bool Once(TestNamespace from, IPAddress to) =>
        from.TryExec("busybox", "ping", "-c", "1", "-W", "1", to.ToString()).ExitCode == 0;

    /// <summary>
    /// True when one of up to three echoes (one second each) is answered. A link just brought up
    /// drops what it sends until linkwatch activates its queue (at most once a second, later on a
    /// loaded machine), so a single ping right after a connect can be lost on a path that works.
    /// </summary>
    public static bool Any(TestNamespace from, IPAddress to) =>
        Enumerable.Range(0, 3).Any(_ => Once(from, to));
}
