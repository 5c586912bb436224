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

    protected async Task RunAsync(string @case, string mode)
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
        await using var daemon = setupUnarmed ? await NetstackdProcess.StartAsync() : await NetstackdProcess.StartWithEnvironmentAsync(environment);
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
                AssertHolds(await SettledAsync(daemon), armed, scenario.RetryRemoval is null
                    ? "after the failed step, before the restart"
                    : "after the failed step and a retry, before the restart");
                await daemon.KillHardAsync();
            }

            daemon.Environment.Remove(FailPoint.EnvironmentVariable);
            await daemon.LaunchAsync();
            AssertHolds(await SettledAsync(daemon), armed, "after the restart");
            foreach (var (kind, name) in scenario.Acknowledged)
            {
                Assert.True(await FailPointScenario.ExistsAsync(daemon, kind, name), $"{armed}: acknowledged {kind} {name} is gone after the restart");
            }

            await scenario.RepeatOrUndo(daemon);
            AssertHolds(await SettledAsync(daemon), armed, "after repeating or undoing the operation");
            await FailPointScenario.RemoveEverythingAsync(daemon);
            AssertHolds(await SettledAsync(daemon), armed, "after removing everything");
            var left = StoreView.Read(daemon.Root).Entries.Keys.Where(k => !k.EndsWith("/pools", StringComparison.Ordinal)).ToList();
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

    private static async Task<IReadOnlyList<string>> SettledAsync(NetstackdProcess daemon)
    {
        var deadline = DateTime.UtcNow + SettleWait;
        while (true)
        {
            var problems = await InvariantChecker.CheckAsync(daemon);
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
