using System.Text.Json.Nodes;
using Netstack.Runtime.Runc;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Runtime;

/// <summary>
/// The removal of a stopped container's runc state without runc, on containers runc itself ran
/// (a bundle from <c>runc spec</c> over the busybox rootfs, in a state root and cgroup of the test's own).
/// </summary>
public sealed class StoppedContainerStateTests
{
    private sealed class RuncLab : IDisposable
    {
        public RuncLab()
        {
            Dir = Directory.CreateTempSubdirectory("nst-runc-").FullName;
            CgroupParent = "/" + System.IO.Path.GetFileName(Dir);
            StateRoot = System.IO.Path.Combine(Dir, "state");
            Bundle = System.IO.Path.Combine(Dir, "bundle");
            Directory.CreateDirectory(System.IO.Path.Combine(Bundle, "rootfs"));
            Sh.Run("tar", "-xf", BusyboxImage.Path, "-C", System.IO.Path.Combine(Bundle, "rootfs"));
            Sh.Run("runc", "spec", "--bundle", Bundle);
        }

        public string Dir { get; }

        public string CgroupParent { get; }

        public string StateRoot { get; }

        public string Bundle { get; }

        /// <summary>Starts container <paramref name="id"/> running <paramref name="args"/> detached.</summary>
        public void Run(string id, params string[] args)
        {
            var configPath = System.IO.Path.Combine(Bundle, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(configPath))!;
            config["process"]!["terminal"] = false;
            config["process"]!["args"] = new JsonArray([.. args.Select(a => JsonValue.Create(a))]);
            config["linux"]!["cgroupsPath"] = $"{CgroupParent}/{id}";
            File.WriteAllText(configPath, config.ToJsonString());
            TestNamespace.Run("sh", "-c", $"runc --root {StateRoot} run -d --bundle {Bundle} {id} </dev/null >/dev/null 2>&1");
        }

        public string Status(string id) =>
            JsonNode.Parse(Sh.Run("runc", "--root", StateRoot, "state", id))!["status"]!.GetValue<string>();

        /// <summary>The container's cgroup directories under every controller.</summary>
        public List<string> Cgroups(string id) =>
            [.. Directory.GetDirectories("/sys/fs/cgroup").Select(c => System.IO.Path.Combine(c, CgroupParent.TrimStart('/'), id)).Where(Directory.Exists)];

        public void Dispose()
        {
            foreach (var id in Directory.Exists(StateRoot) ? Directory.GetDirectories(StateRoot) : [])
            {
                Sh.TryRun("runc", "--root", StateRoot, "delete", "--force", System.IO.Path.GetFileName(id));
            }
            foreach (var parent in Directory.GetDirectories("/sys/fs/cgroup").Select(c => System.IO.Path.Combine(c, CgroupParent.TrimStart('/'))).Where(Directory.Exists))
            {
                Sh.TryRun("rmdir", parent);
            }
            Directory.Delete(Dir, recursive: true);
        }
    }

    private static async Task WaitForStatusAsync(RuncLab lab, string id, string status)
    {
        for (var i = 0; i < 200 && lab.Status(id) != status; i++)
        {
            await Task.Delay(20);
        }
        Assert.Equal(status, lab.Status(id));
    }

    [PrivilegedFact]
    public async Task StoppedContainer_CgroupsAndStateGo_RuncKnowsItNoMore()
    {
        using var lab = new RuncLab();
        lab.Run("done1", "true");
        await WaitForStatusAsync(lab, "done1", "stopped");
        Assert.NotEmpty(lab.Cgroups("done1"));

        Assert.Null(await StoppedContainerState.TryRemoveAsync(System.IO.Path.Combine(lab.StateRoot, "done1"), CancellationToken.None));

        Assert.Empty(lab.Cgroups("done1"));
        Assert.False(Directory.Exists(System.IO.Path.Combine(lab.StateRoot, "done1")));
        Assert.Equal("", Sh.Run("runc", "--root", lab.StateRoot, "list", "-q").Trim());
    }

    [PrivilegedFact]
    public async Task RunningContainer_IsLeftToRunc_AndNothingOfItIsTouched()
    {
        using var lab = new RuncLab();
        lab.Run("live1", "sleep", "1000");
        await WaitForStatusAsync(lab, "live1", "running");
        var cgroups = lab.Cgroups("live1");
        Assert.NotEmpty(cgroups);

        Assert.Equal("its init still runs", await StoppedContainerState.TryRemoveAsync(System.IO.Path.Combine(lab.StateRoot, "live1"), CancellationToken.None));

        Assert.Equal(cgroups, lab.Cgroups("live1"));
        Assert.Equal("running", lab.Status("live1"));
    }
}
