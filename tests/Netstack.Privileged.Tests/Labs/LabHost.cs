using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Labs;

/// <summary>The namespace that plays the host in a lab, with whatever a test wires to it.</summary>
internal static class LabHost
{
    /// <summary>
    /// A new host namespace wired by <paramref name="attach"/> (a segment, an uplink...). When the
    /// wiring fails the namespace is removed before the error goes on, so nothing is left behind.
    /// </summary>
    public static (TestNamespace Host, T Attached) Create<T>(Func<TestNamespace, T> attach)
    {
        var host = TestNamespace.Create();
        try
        {
            return (host, attach(host));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
