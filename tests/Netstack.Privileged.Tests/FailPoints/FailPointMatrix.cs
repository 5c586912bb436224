using Netstack.Core.FailPoints;
using N = Netstack.Core.FailPoints.FailPointNames;

namespace Netstack.Privileged.Tests.FailPoints;

/// <summary>
/// The fail-point matrix: every fail point of <see cref="FailPointNames"/> with the operation that
/// reaches it. Store fail points go with the operation whose writes of that kind they cut, once
/// per write (@N): a network create writes its network record twice (intent, Ready), IPAM twice
/// (pool, gateway); a connect its endpoint record twice and IPAM once (the address); and so on.
/// </summary>
internal static class FailPointMatrix
{
    public static IReadOnlyDictionary<string, (string Spec, FailPointScenario Scenario)> Cases { get; } = Build();

    private static Dictionary<string, (string, FailPointScenario)> Build()
    {
        var cases = new Dictionary<string, (string, FailPointScenario)>(StringComparer.Ordinal);
        void Add(FailPointScenario scenario, params string[] specs)
        {
            foreach (var spec in specs)
            {
                cases.Add(spec + " in " + scenario.Name, (spec, scenario));
            }
        }
        static string[] Store(string before, string after, int writes) =>
            [.. Enumerable.Range(1, writes).SelectMany(n => new[] { $"{before}@{n}", $"{after}@{n}" })];

        Add(FailPointScenario.NetworkCreate,
            N.NetworkCreateAfterIntent, N.NetworkCreateAfterPools, N.NetworkCreateAfterBridge, N.NetworkCreateAfterDriver, N.NetworkCreateAfterReady);
        Add(FailPointScenario.NetworkCreate, Store(N.StoreWriteNetworksBefore, N.StoreWriteNetworksAfter, 2));
        Add(FailPointScenario.NetworkCreate, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 2));

        Add(FailPointScenario.NetworkRemove,
            N.NetworkRemoveAfterMark, N.NetworkRemoveAfterDriver, N.NetworkRemoveAfterRecord, N.NetworkRemoveAfterPools);
        Add(FailPointScenario.NetworkRemove, Store(N.StoreWriteNetworksBefore, N.StoreWriteNetworksAfter, 2));
        Add(FailPointScenario.NetworkRemove, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 1));

        Add(FailPointScenario.Connect,
            N.EndpointCreateAfterAddress, N.EndpointCreateAfterIntent, N.EndpointCreateAfterDriver, N.EndpointJoinAfterVeth,
            N.EndpointJoinAfterDriver, N.EndpointJoinAfterInterface, N.PortPublishAfterDriver, N.EndpointJoinAfterReady);
        Add(FailPointScenario.Connect, Store(N.StoreWriteEndpointsBefore, N.StoreWriteEndpointsAfter, 2));
        Add(FailPointScenario.Connect, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 1));

        Add(FailPointScenario.Disconnect,
            N.EndpointLeaveAfterMark, N.EndpointLeaveAfterRevoke, N.EndpointLeaveAfterDriver, N.EndpointDeleteAfterDriver,
            N.EndpointDeleteAfterRecord, N.EndpointDeleteAfterRelease);
        Add(FailPointScenario.Disconnect, Store(N.StoreWriteEndpointsBefore, N.StoreWriteEndpointsAfter, 2));
        Add(FailPointScenario.Disconnect, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 1));

        Add(FailPointScenario.SandboxCreate, N.SandboxCreateAfterIntent, N.SandboxCreateAfterNamespace, N.SandboxCreateAfterReady);
        Add(FailPointScenario.SandboxCreate, Store(N.StoreWriteSandboxesBefore, N.StoreWriteSandboxesAfter, 2));
        Add(FailPointScenario.SandboxRemove, N.SandboxDeleteAfterMark, N.SandboxDeleteAfterNamespace, N.SandboxDeleteAfterRecord);
        Add(FailPointScenario.SandboxRemove, Store(N.StoreWriteSandboxesBefore, N.StoreWriteSandboxesAfter, 2));

        Add(FailPointScenario.ContainerCreate, N.ContainerCreateAfterFiles, N.ContainerCreateAfterRecord);
        Add(FailPointScenario.ContainerStart,
            N.ContainerStartAfterSandbox, N.PortPublishAfterRules, N.ContainerStartAfterEndpoints, N.ContainerStartAfterDns,
            N.ContainerStartAfterRunc, N.ContainerStartAfterRecord);
        Add(FailPointScenario.ContainerStop, N.ContainerStopAfterSignal, N.ContainerStopAfterExit, N.ContainerStopAfterRelease);
        Add(FailPointScenario.ContainerRemove, N.ContainerRemoveAfterKill, N.ContainerRemoveAfterBundle, N.ContainerRemoveAfterFiles, N.ContainerRemoveAfterRelease);

        // macvlan: the driver's steps (its one kernel object per step, the macvlan link of a join,
        // sits between the controller's after-driver points). Its store writes are the controller's
        // own, as walked for the bridge networks above.
        Add(FailPointScenario.MacvlanCreate,
            N.NetworkCreateAfterIntent, N.NetworkCreateAfterPools, N.NetworkCreateAfterDriver, N.NetworkCreateAfterReady);
        Add(FailPointScenario.MacvlanRemove,
            N.NetworkRemoveAfterMark, N.NetworkRemoveAfterDriver, N.NetworkRemoveAfterRecord, N.NetworkRemoveAfterPools);
        Add(FailPointScenario.MacvlanConnect,
            N.EndpointCreateAfterAddress, N.EndpointCreateAfterIntent, N.EndpointCreateAfterDriver, N.EndpointJoinAfterDriver,
            N.EndpointJoinAfterInterface, N.PortPublishAfterDriver, N.EndpointJoinAfterReady);

        // A global network (overlay, internal) on a real etcd: the network's records, name, VXLAN
        // id and the global address space are written there; the endpoint's record stays local,
        // its attachment key is written there. A bare sandbox on an internal overlay network needs
        // no gateway network, so each write below is the global operation's own.
        Add(FailPointScenario.OverlayCreate,
            N.NetworkCreateAfterIntent, N.NetworkCreateAfterPools, N.NetworkCreateAfterDriver, N.NetworkCreateAfterReady);
        Add(FailPointScenario.OverlayCreate, Store(N.StoreWriteNetworksBefore, N.StoreWriteNetworksAfter, 2));
        Add(FailPointScenario.OverlayCreate, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 2));

        Add(FailPointScenario.OverlayRemove,
            N.NetworkRemoveAfterMark, N.NetworkRemoveAfterDriver, N.NetworkRemoveAfterRecord, N.NetworkRemoveAfterPools);
        Add(FailPointScenario.OverlayRemove, Store(N.StoreWriteNetworksBefore, N.StoreWriteNetworksAfter, 2));
        Add(FailPointScenario.OverlayRemove, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 1));

        Add(FailPointScenario.OverlayConnect,
            N.EndpointCreateAfterAddress, N.EndpointCreateAfterIntent, N.EndpointCreateAfterDriver, N.EndpointJoinAfterDatapath,
            N.EndpointJoinAfterVeth, N.EndpointJoinAfterDriver, N.EndpointJoinAfterInterface, N.EndpointJoinAfterReady);
        Add(FailPointScenario.OverlayConnect, Store(N.StoreWriteEndpointsBefore, N.StoreWriteEndpointsAfter, 2));
        Add(FailPointScenario.OverlayConnect, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 1));
        Add(FailPointScenario.OverlayConnect, Store(N.StoreWriteAttachmentsBefore, N.StoreWriteAttachmentsAfter, 1));

        Add(FailPointScenario.OverlayDisconnect,
            N.EndpointLeaveAfterMark, N.EndpointLeaveAfterRevoke, N.EndpointLeaveAfterVeth, N.EndpointLeaveAfterDriver,
            N.EndpointDeleteAfterDriver, N.EndpointDeleteAfterRecord, N.EndpointDeleteAfterRelease);
        Add(FailPointScenario.OverlayDisconnect, Store(N.StoreWriteEndpointsBefore, N.StoreWriteEndpointsAfter, 2));
        Add(FailPointScenario.OverlayDisconnect, Store(N.StoreWriteIpamBefore, N.StoreWriteIpamAfter, 1));
        Add(FailPointScenario.OverlayDisconnect, Store(N.StoreWriteAttachmentsBefore, N.StoreWriteAttachmentsAfter, 1));
        return cases;
    }

    /// <summary>The point's name without its @N.</summary>
    public static string PointOf(string spec) => spec.Split('@')[0];

    public static IEnumerable<string> Names(string scenarioPrefix) =>
        Cases.Keys.Where(k => Cases[k].Scenario.Name.StartsWith(scenarioPrefix, StringComparison.Ordinal));

    /// <summary>Each armed point fires once; modes as <c>NETSTACK_FAILPOINT</c> spells them.</summary>
    public static readonly string[] Modes = [nameof(FailPointMode.Crash).ToLowerInvariant(), nameof(FailPointMode.Error).ToLowerInvariant()];
}
