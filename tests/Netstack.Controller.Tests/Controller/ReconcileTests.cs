using Netstack.Core;
using Xunit;

namespace Netstack.Controller.Tests;

/// <summary>
/// A "crash" here is a controller abandoned while a driver call hangs (nothing after it runs, no
/// undo), followed by a new controller on the same store and kernel: what kill -9 leaves behind.
/// </summary>
public sealed class ReconcileTests : IDisposable
{
    private readonly ControllerFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task CrashDuringConnect_ReconcileUndoesIntent_AndFreesTheAddress()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "b" });
        _f.Driver.HangOn = "Program";
        _ = _f.Controller.ConnectAsync("web", "a");
        await _f.Driver.HangReached.Task;
        Assert.NotNull(_f.Kernel.Find(sandbox.Key, "eth0"));

        using var restarted = _f.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Contains(report.Repaired, r => r.Contains("connect interrupted", StringComparison.Ordinal));
        Assert.Null(_f.Kernel.Find(sandbox.Key, "eth0"));
        Assert.Empty(_f.Kernel.DriverEndpoints);
        Assert.Empty(await _f.Store.ListAsync("endpoints/"));
        var next = await restarted.Controller.ConnectAsync("web", "b");
        Assert.Equal("10.20.0.2/24", next.IPv4Address.ToString());
    }

    [Fact]
    public async Task CrashDuringCreateNetwork_ReconcileRemovesIt_AndReleasesThePool()
    {
        _f.Driver.HangOn = "CreateNetwork";
        _ = _f.CreateNetworkAsync("web", "10.20.0.0/24");
        await _f.Driver.HangReached.Task;

        using var restarted = _f.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Empty(await restarted.Controller.ListNetworksAsync());
        Assert.Empty(_f.Kernel.DriverNetworks);
        Assert.Contains(report.Removed, r => r.Contains("leaked pool LocalDefault/10.20.0.0/24", StringComparison.Ordinal));
        await restarted.CreateNetworkAsync("web", "10.20.0.0/24");
    }

    [Fact]
    public async Task AcknowledgedState_SurvivesRestartUnchanged()
    {
        var network = await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        var endpoint = await _f.Controller.ConnectAsync("web", "a");

        using var restarted = _f.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Empty(report.Repaired);
        Assert.Empty(report.Removed);
        var after = await restarted.Controller.GetNetworkAsync("web");
        Assert.Equal(network.Id, after.Id);
        Assert.Equal(endpoint.IPv4Address, Assert.Single(after.Endpoints).IPv4Address);
        Assert.Equal(sandbox.Key, (await restarted.Controller.GetSandboxAsync("a")).Key);
    }

    [Fact]
    public async Task SandboxNamespaceGone_ReconcileRemovesSandboxAndEndpoint_AndFreesAddress()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "gone" });
        await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "fresh" });
        var endpoint = await _f.Controller.ConnectAsync("web", "gone");
        _f.Kernel.DeleteNamespace(ControllerFixture.NetnsDirectory, Path.GetFileName(sandbox.Key));

        using var restarted = _f.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Contains(report.Removed, r => r.Contains("sandbox gone", StringComparison.Ordinal));
        await Assert.ThrowsAsync<NotFoundException>(() => restarted.Controller.GetSandboxAsync("gone"));
        Assert.Empty(await restarted.Controller.ListEndpointsAsync());
        Assert.False(_f.Kernel.DriverEndpoints.ContainsKey(endpoint.Id));
        Assert.Equal(endpoint.IPv4Address, (await restarted.Controller.ConnectAsync("web", "fresh")).IPv4Address);
    }

    [Fact]
    public async Task MissingDriverNetwork_Recreated_OrphanNamespaceRemoved_LeakedAddressReleased()
    {
        var network = await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        _f.Kernel.DriverNetworks.TryRemove(network.Id, out _);
        _f.Kernel.CreateNamespace(ControllerFixture.NetnsDirectory, "0123456789ab");
        var pool = network.Ipam.Pools[0].PoolId;
        await _f.Ipam.RequestAddressAsync(pool, System.Net.IPAddress.Parse("10.20.0.77"), Empty.Options, default);

        using var restarted = _f.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.True(_f.Kernel.DriverNetworks.ContainsKey(network.Id));
        Assert.Contains(report.Recreated, r => r.Contains(network.Id, StringComparison.Ordinal));
        Assert.False(_f.Kernel.NamespaceExists(Path.Combine(ControllerFixture.NetnsDirectory, "0123456789ab")));
        Assert.Contains(report.Removed, r => r.Contains("10.20.0.77", StringComparison.Ordinal));
        Assert.Equal(["10.20.0.1"], (await restarted.Ipam.ListAddressesAsync(pool, default)).Select(a => a.ToString()).ToArray());
    }

    [Fact]
    public async Task CrashDuringDisconnect_ReconcileFinishesIt()
    {
        await _f.CreateNetworkAsync("web", "10.20.0.0/24");
        var sandbox = await _f.Controller.CreateSandboxAsync(new SandboxSpec { Name = "a" });
        await _f.Controller.ConnectAsync("web", "a");
        _f.Driver.HangOn = "Leave";
        _ = _f.Controller.DisconnectAsync("web", "a");
        await _f.Driver.HangReached.Task;

        using var restarted = _f.Restart();
        var report = await restarted.Controller.ReconcileAsync();

        Assert.Empty(report.Errors);
        Assert.Contains(report.Repaired, r => r.Contains("disconnect interrupted", StringComparison.Ordinal));
        Assert.Null(_f.Kernel.Find(sandbox.Key, "eth0"));
        Assert.Empty(await restarted.Controller.ListEndpointsAsync());
        await restarted.Controller.DeleteNetworkAsync("web");
    }
}
