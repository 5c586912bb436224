namespace Netstack.Privileged.Tests.Runtime;

/// <summary>A named network namespace for one test (<c>ip netns add nst-rt-XXXX</c>), deleted on dispose.</summary>
internal sealed class TestNetns : IDisposable
{
    public TestNetns()
    {
        Name = "nst-rt-" + Guid.NewGuid().ToString("N")[..8];
        Sh.Run("ip", "netns", "add", Name);
    }

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    public void Dispose() => Sh.Run("ip", "netns", "delete", Name);
}
