using System.Text;
using Netstack.Runtime.Runc;
using Xunit;

namespace Netstack.Runtime.Tests.Runc;

/// <summary>
/// Which runc states are removed without runc, read from state.json as runc 1.1 writes it (the
/// fields below are the ones of a real busybox container of ours; the privileged lifecycle tests
/// remove real ones and check that no cgroup and no runc state is left).
/// </summary>
public sealed class StoppedContainerStateTests
{
    private const string Id = "1d80a53f3b4be9e5af114cf66eb1bc1a734da08cd7dafed2fe7013b1120fd121";

    private static byte[] State(
        string namespaces = """[{"type":"NEWPID","path":""},{"type":"NEWNS","path":""},{"type":"NEWNET","path":"/run/netstack/netns/x"}]""",
        string hooks = """{"createContainer":null,"poststart":null,"poststop":null,"prestart":null}""",
        bool systemd = false,
        string rdt = "",
        string memoryPath = "/sys/fs/cgroup/memory/netstack/" + Id,
        string start = "1318925") =>
        Encoding.UTF8.GetBytes($$"""
        {"id":"{{Id}}","init_process_pid":18402,"init_process_start":{{start}},"created":"2026-12-04T21:58:00Z",
         "config":{"namespaces":{{namespaces}},"cgroups":{"path":"/netstack/{{Id}}","Systemd":{{(systemd ? "true" : "false")}}},"Hooks":{{hooks}}},
         "rootless":false,
         "cgroup_paths":{"":"/sys/fs/cgroup/unified/netstack/{{Id}}","cpu":"/sys/fs/cgroup/cpu/netstack/{{Id}}","memory":"{{memoryPath}}","pids":"/sys/fs/cgroup/pids/netstack/{{Id}}","cpuacct":"/sys/fs/cgroup/cpu/netstack/{{Id}}"},
         "intel_rdt_path":"{{rdt}}"}
        """);

    [Fact]
    public void PlainContainer_GivesItsInitAndEachCgroupOnce()
    {
        var plan = StoppedContainerState.Read(State(), out var why);

        Assert.Null(why);
        Assert.NotNull(plan);
        Assert.Equal(18402, plan.InitPid);
        Assert.Equal(1318925UL, plan.InitStart);
        // cpu and cpuacct share a directory here (a co-mounted hierarchy): removed once.
        Assert.Equal(
            [$"/sys/fs/cgroup/unified/netstack/{Id}", $"/sys/fs/cgroup/cpu/netstack/{Id}", $"/sys/fs/cgroup/memory/netstack/{Id}", $"/sys/fs/cgroup/pids/netstack/{Id}"],
            plan.CgroupPaths);
    }

    [Fact]
    public void StartTimeAsAString_IsReadToo() =>
        Assert.Equal(1318925UL, StoppedContainerState.Read(State(start: "\"1318925\""), out _)!.InitStart);

    [Theory]
    [InlineData("hooks", "the container has hooks")]
    [InlineData("systemd", "its cgroups are systemd's")]
    [InlineData("rdt", "it has an Intel RDT group")]
    [InlineData("host-pid", "it shares a PID namespace")]
    [InlineData("joined-pid", "it shares a PID namespace")]
    [InlineData("outside", "is not under /sys/fs/cgroup/")]
    [InlineData("dotdot", "is not under /sys/fs/cgroup/")]
    public void AnythingButThePlainCase_IsLeftToRunc(string variant, string reason)
    {
        var state = variant switch
        {
            "hooks" => State(hooks: """{"poststop":[{"path":"/bin/true"}]}"""),
            "systemd" => State(systemd: true),
            "rdt" => State(rdt: "/sys/fs/resctrl/x"),
            "host-pid" => State(namespaces: """[{"type":"NEWNS","path":""}]"""),
            "joined-pid" => State(namespaces: """[{"type":"NEWPID","path":"/proc/42/ns/pid"}]"""),
            "outside" => State(memoryPath: "/var/lib/important"),
            _ => State(memoryPath: "/sys/fs/cgroup/memory/../../../etc"),
        };

        Assert.Null(StoppedContainerState.Read(state, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"config":{}}""")]
    [InlineData("""{"init_process_pid":"x","config":{"namespaces":[{"type":"NEWPID"}],"cgroups":{}}}""")]
    public void UnreadableState_IsLeftToRunc(string json)
    {
        Assert.Null(StoppedContainerState.Read(Encoding.UTF8.GetBytes(json), out var why));
        Assert.StartsWith("state.json is not as expected", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateDirectoryWithoutStateJson_IsLeftToRunc_AndKept()
    {
        var dir = Directory.CreateTempSubdirectory("nst-runc-state-").FullName;
        try
        {
            var why = await StoppedContainerState.TryRemoveAsync(dir, CancellationToken.None);
            Assert.StartsWith("no readable state.json", why, StringComparison.Ordinal);
            Assert.True(Directory.Exists(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
