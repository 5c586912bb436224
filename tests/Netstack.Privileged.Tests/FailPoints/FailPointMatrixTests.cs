using Netstack.Core.FailPoints;
using Netstack.Privileged.Tests.Api;
using Netstack.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Privileged.Tests.FailPoints;

/// <summary>
/// Walks the fail-point matrix on real netstackd daemons, each case on its own throwaway host
/// namespace: the setup on an unarmed daemon, then a restart armed with one fail point
/// (<c>NETSTACK_FAILPOINT=NAME:MODE@N</c>), the operation, a restart unarmed, and the invariants
/// (<see cref="InvariantChecker"/>); then the operation is undone or repeated and everything is
/// removed, which must leave an empty daemon. A failed step (error mode) is also checked before
/// the restart: its own rollback must already have left nothing half-made.
/// The cases are split by operation into classes, which xunit runs in parallel.
/// </summary>
public abstract class FailPointMatrixTestsBase(ITestOutputHelper output)
{
    private static readonly TimeSpan CrashWait = TimeSpan.FromSeconds(60);

    public static TheoryData<string, string> CasesOf(string scenarioPrefix)
    {
        var data = new TheoryData<string, string>();
        foreach (var name in FailPointMatrix.Names(scenarioPrefix))
        {
            foreach (var mode in FailPointMatrix.Modes)
            {
                data.Add(name, mode);
            }
        }
        return data;
    }

    /// <param name="etcd">For the cases of a global network: the etcd the daemon's cluster store is on, whose keys the checks read too.</param>
    protected async Task RunAsync(string @case, string mode, FailPointEtcd? etcd = null)
    {
        var (spec, scenario) = FailPointMatrix.Cases[@case];
        var point = FailPointMatrix.PointOf(spec);
        var at = spec.Contains('@', StringComparison.Ordinal) ? spec[spec.IndexOf('@', StringComparison.Ordinal)..] : "";
        var armed = $"{point}:{mode}{at}";
        // The daemon starts armed unless its setup writes to the store the kind of record a store
        // fail point counts (its @N would then count the setup's writes): such a setup runs on an
        // unarmed daemon first. A step's own fail point is never on the way of another operation's setup.
        var setupUnarmed = scenario.Setup is not null && point.StartsWith("store.", StringComparison.Ordinal);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { [FailPoint.EnvironmentVariable] = armed };
        var (daemon, global) = etcd is not null
            ? await etcd.StartDaemonAsync(setupUnarmed ? null : environment)
            : (await NetstackdProcess.StartAsync(scenario.PrepareHost, setupUnarmed ? null : environment), (GlobalStore?)null);
        await using var owned = daemon;
        // What the host had before the daemon made anything: the test's links (a LAN towards etcd, a macvlan parent).
        var testLinks = daemon.Host.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).ToHashSet(StringComparer.Ordinal);
        try
        {
            if (scenario.Setup is { } setup)
            {
                await setup(daemon);
                Assert.False(daemon.Log.Contains($"fail point {point} fired", StringComparison.Ordinal), $"{armed}: the setup reached the fail point");
            }
            if (setupUnarmed)
            {
                await daemon.KillHardAsync();
                daemon.Environment[FailPoint.EnvironmentVariable] = armed;
                await daemon.LaunchAsync();
            }

            var (exit, error) = await scenario.Operation(daemon);
            output.WriteLine($"{armed}: exit {exit}: {error}");
            if (mode == "crash")
            {
                Assert.True(await daemon.WaitForExitAsync(CrashWait), $"{armed}: the daemon did not die");
            }
            Assert.True(daemon.Log.Contains($"fail point {point} fired", StringComparison.Ordinal),
                $"{armed}: the operation never reached the fail point (exit {exit}: {error})");
            if (mode == "error")
            {
                Assert.True(daemon.Running, $"{armed}: the daemon died on a failed step");
                if (scenario.RetryRemoval is { } retry)
                {
                    await retry(daemon);
                }
                AssertHolds(await SettledAsync(daemon, global, testLinks), armed, scenario.RetryRemoval is null
                    ? "after the failed step, before the restart"
                    : "after the failed step and a retry, before the restart");
                await daemon.KillHardAsync();
            }

            daemon.Environment.Remove(FailPoint.EnvironmentVariable);
            await daemon.LaunchAsync();
            AssertHolds(await SettledAsync(daemon, global, testLinks), armed, "after the restart");
            foreach (var (kind, name) in scenario.Acknowledged)
            {
                Assert.True(await FailPointScenario.ExistsAsync(daemon, kind, name), $"{armed}: acknowledged {kind} {name} is gone after the restart");
            }

            await scenario.RepeatOrUndo(daemon);
            AssertHolds(await SettledAsync(daemon, global, testLinks), armed, "after repeating or undoing the operation");
            // Every global operation is repeated or undone down to an existing network: the checks
            // read its name key in etcd, not an empty view.
            Assert.True(global is null || StoreView.Read(daemon.Root, global).Entries.ContainsKey("names/networks/" + FailPointScenario.Network),
                $"{armed}: the global network's name key under {global?.Prefix} in etcd is not seen by the checks");
            await FailPointScenario.RemoveEverythingAsync(daemon);
            AssertHolds(await SettledAsync(daemon, global, testLinks), armed, "after removing everything");
            // Left by design: IPAM's pool lists (empty) and the node's own key in the cluster store.
            var left = StoreView.Read(daemon.Root, global).Entries.Keys
                .Where(k => !k.EndsWith("/pools", StringComparison.Ordinal) && !k.StartsWith("nodes/", StringComparison.Ordinal)).ToList();
            Assert.True(left.Count == 0, $"{armed}: the store still holds {string.Join(", ", left)} after everything was removed");
        }
        catch
        {
            output.WriteLine(daemon.Log);
            throw;
        }
    }

    // A stop or a removal releases the container's sandbox in the background too (its exit
    // handler): the live daemon is checked once that has settled.
    private static readonly TimeSpan SettleWait = TimeSpan.FromSeconds(10);

    private static async Task<IReadOnlyList<string>> SettledAsync(NetstackdProcess daemon, GlobalStore? global, IReadOnlySet<string> testLinks)
    {
        var deadline = DateTime.UtcNow + SettleWait;
        while (true)
        {
            var problems = await InvariantChecker.CheckAsync(daemon, global, testLinks);
            if (problems.Count == 0 || DateTime.UtcNow > deadline)
            {
                return problems;
            }
            await Task.Delay(250);
        }
    }

    private static void AssertHolds(IReadOnlyList<string> problems, string armed, string when) =>
        Assert.True(problems.Count == 0, $"{armed}: {when}:\n  " + string.Join("\n  ", problems));
}

public sealed class FailPointNetworkTests(ITestOutputHelper output) : FailPointMatrixTestsBase(output)
{
    public static TheoryData<string, string> Cases() => CasesOf("network create");

    public static TheoryData<string, string> RemoveCases() => CasesOf("network rm");

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public Task NetworkCreate_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);

    [PrivilegedTheory]
    [MemberData(nameof(RemoveCases))]
    public Task NetworkRemove_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);
}

public sealed class FailPointEndpointTests(ITestOutputHelper output) : FailPointMatrixTestsBase(output)
{
    public static TheoryData<string, string> ConnectCases() => CasesOf("network connect");

    public static TheoryData<string, string> DisconnectCases() => CasesOf("network disconnect");

    [PrivilegedTheory]
    [MemberData(nameof(ConnectCases))]
    public Task Connect_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);

    [PrivilegedTheory]
    [MemberData(nameof(DisconnectCases))]
    public Task Disconnect_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);
}

public sealed class FailPointSandboxTests(ITestOutputHelper output) : FailPointMatrixTestsBase(output)
{
    public static TheoryData<string, string> Cases() => CasesOf("sandbox");

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public Task Sandbox_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);
}

public sealed class FailPointContainerTests(ITestOutputHelper output) : FailPointMatrixTestsBase(output)
{
    public static TheoryData<string, string> Cases() => CasesOf("container");

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public Task Container_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);
}

/// <summary>macvlan networks on a parent link of the daemon's host: create, rm and a connect (the join makes the macvlan in the sandbox).</summary>
public sealed class FailPointMacvlanTests(ITestOutputHelper output) : FailPointMatrixTestsBase(output)
{
    public static TheoryData<string, string> Cases() => CasesOf("macvlan");

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public Task Macvlan_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode);
}

/// <summary>
/// The cases of a global network (the overlay driver) on a real etcd, one etcd for the class
/// (<see cref="FailPointEtcd"/>) and a fresh daemon per case: the checks read its etcd keys beside
/// its local store and look at the overlay's namespace, bridge, VXLAN device and entries.
/// </summary>
public sealed class FailPointOverlayNetworkTests(FailPointEtcd etcd, ITestOutputHelper output) : FailPointMatrixTestsBase(output), IClassFixture<FailPointEtcd>
{
    public static TheoryData<string, string> Cases() => CasesOf("overlay network create");

    public static TheoryData<string, string> RemoveCases() => CasesOf("overlay network rm");

    [PrivilegedTheory]
    [MemberData(nameof(Cases))]
    public Task OverlayNetworkCreate_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode, etcd);

    [PrivilegedTheory]
    [MemberData(nameof(RemoveCases))]
    public Task OverlayNetworkRemove_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode, etcd);
}

/// <summary>Endpoints on a global overlay network, as <see cref="FailPointOverlayNetworkTests"/>.</summary>
public sealed class FailPointOverlayEndpointTests(FailPointEtcd etcd, ITestOutputHelper output) : FailPointMatrixTestsBase(output), IClassFixture<FailPointEtcd>
{
    public static TheoryData<string, string> ConnectCases() => CasesOf("overlay network connect");

    public static TheoryData<string, string> DisconnectCases() => CasesOf("overlay network disconnect");

    [PrivilegedTheory]
    [MemberData(nameof(ConnectCases))]
    public Task OverlayConnect_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode, etcd);

    [PrivilegedTheory]
    [MemberData(nameof(DisconnectCases))]
    public Task OverlayDisconnect_FailPoint_RestartLeavesNothingHalfMade(string point, string mode) => RunAsync(point, mode, etcd);
}

/// <summary>The matrix covers the registry: a fail point added to the product without a case fails here.</summary>
public sealed class FailPointMatrixCoverageTests
{
    [Fact]
    public void EveryFailPoint_HasAMatrixCase()
    {
        var covered = FailPointMatrix.Cases.Values.Select(c => FailPointMatrix.PointOf(c.Spec)).ToHashSet(StringComparer.Ordinal);
        var missing = FailPointNames.All.Where(n => !covered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "fail points without a matrix case: " + string.Join(", ", missing));
        Assert.Equal(FailPointNames.All.Count, FailPointNames.All.Distinct(StringComparer.Ordinal).Count());
    }
}
