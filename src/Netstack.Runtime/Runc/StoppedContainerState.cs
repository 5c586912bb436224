using System.Globalization;
using System.Text.Json;
using Netstack.Runtime.Containers;

namespace Netstack.Runtime.Runc;

/// <summary>
/// What <c>runc delete</c> does for a container whose init has ended, done without starting runc:
/// libcontainer's destroy of a stopped container removes the container's cgroup directories, then
/// its state directory. Each runc process costs about 5 ms of CPU (a Go runtime starting), which
/// was most of the children's CPU time in an <c>rm -f</c> of 150 containers. Only the plain case
/// is taken here: a container in its own PID namespace (so the kernel ended every process in it
/// with its init), with no hooks, cgroups managed through cgroupfs (not systemd) and no Intel RDT
/// group. Anything else, or a state this code does not read as expected, is left to
/// <c>runc delete --force</c>, and so is a cgroup that stays busy.
/// </summary>
internal static class StoppedContainerState
{
    private const string CgroupRoot = "/sys/fs/cgroup/";

    // runc retries a busy cgroup the same way (processes of a dying PID namespace still leaving).
    private static readonly int[] BusyRetryDelaysMs = [10, 20, 40, 80, 160];

    /// <summary>What a state.json says the removal needs: the init to check and the cgroup directories.</summary>
    internal sealed record Plan(int InitPid, ulong InitStart, IReadOnlyList<string> CgroupPaths);

    /// <summary>
    /// Reads runc's state.json: the plan when the container is the plain case, or the reason it is
    /// left to runc.
    /// </summary>
    internal static Plan? Read(ReadOnlyMemory<byte> stateJson, out string? leftToRunc)
    {
        try
        {
            using var document = JsonDocument.Parse(stateJson);
            var root = document.RootElement;
            var config = root.GetProperty("config");
            if (config.TryGetProperty("Hooks", out var hooks) && hooks.ValueKind == JsonValueKind.Object
                && hooks.EnumerateObject().Any(h => h.Value.ValueKind == JsonValueKind.Array && h.Value.GetArrayLength() > 0))
            {
                leftToRunc = "the container has hooks";
                return null;
            }
            if (config.GetProperty("cgroups").TryGetProperty("Systemd", out var systemd) && systemd.ValueKind == JsonValueKind.True)
            {
                leftToRunc = "its cgroups are systemd's";
                return null;
            }
            if (root.TryGetProperty("intel_rdt_path", out var rdt) && rdt.ValueKind == JsonValueKind.String && rdt.GetString() is { Length: > 0 })
            {
                leftToRunc = "it has an Intel RDT group";
                return null;
            }
            // A PID namespace of its own (no path: not joined): its processes ended with its init.
            var ownPidNamespace = config.GetProperty("namespaces").EnumerateArray().Any(n =>
                n.GetProperty("type").GetString() == "NEWPID" && (!n.TryGetProperty("path", out var path) || path.GetString() is null or ""));
            if (!ownPidNamespace)
            {
                leftToRunc = "it shares a PID namespace, so processes may outlive its init";
                return null;
            }
            var paths = new List<string>();
            if (root.TryGetProperty("cgroup_paths", out var cgroups) && cgroups.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in cgroups.EnumerateObject())
                {
                    var path = entry.Value.GetString();
                    if (string.IsNullOrEmpty(path))
                    {
                        continue;
                    }
                    // Never remove a directory outside the cgroup file systems, whatever the file says.
                    if (!path.StartsWith(CgroupRoot, StringComparison.Ordinal) || path.Contains("/../", StringComparison.Ordinal) || path.EndsWith("/..", StringComparison.Ordinal))
                    {
                        leftToRunc = $"cgroup path {path} is not under {CgroupRoot}";
                        return null;
                    }
                    if (!paths.Contains(path, StringComparer.Ordinal))
                    {
                        paths.Add(path);
                    }
                }
            }
            var pid = root.GetProperty("init_process_pid").GetInt32();
            var started = root.GetProperty("init_process_start");
            var start = started.ValueKind == JsonValueKind.String
                ? ulong.Parse(started.GetString()!, CultureInfo.InvariantCulture)
                : started.GetUInt64();
            leftToRunc = null;
            return new Plan(pid, start, paths);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            leftToRunc = "state.json is not as expected: " + e.Message;
            return null;
        }
    }

    /// <summary>
    /// Removes the container's cgroups and <paramref name="stateDirectory"/> when the container is
    /// the plain case and its init has ended; returns null then, or why it left everything to runc
    /// (a cgroup already removed is fine for runc, which skips missing ones).
    /// </summary>
    public static async Task<string?> TryRemoveAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(Path.Combine(stateDirectory, "state.json"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "no readable state.json: " + e.Message;
        }
        var plan = Read(json, out var leftToRunc);
        if (plan is null)
        {
            return leftToRunc;
        }
        if (InitProcess.IsAlive(plan.InitPid, plan.InitStart))
        {
            return "its init still runs";
        }
        foreach (var path in plan.CgroupPaths)
        {
            if (await RemoveCgroupAsync(path, cancellationToken).ConfigureAwait(false) is { } busy)
            {
                return busy;
            }
        }
        try
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        return null;
    }

    // A cgroup directory and any below it (a container may make its own), deepest first; rmdir is
    // all a cgroup file system needs, its control files go with the directory.
    private static async Task<string?> RemoveCgroupAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return null;
        }
        foreach (var child in Directory.EnumerateDirectories(path))
        {
            if (await RemoveCgroupAsync(child, cancellationToken).ConfigureAwait(false) is { } busy)
            {
                return busy;
            }
        }
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(path);
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
            catch (IOException) when (attempt < BusyRetryDelaysMs.Length)
            {
                await Task.Delay(BusyRetryDelaysMs[attempt], cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                return $"cgroup {path} stays busy: {e.Message}";
            }
        }
    }
}
