using System.Globalization;

namespace Netstack.Runtime.Containers;

/// <summary>
/// Where a container's cgroup files are, on a cgroup v2 host (one hierarchy at /sys/fs/cgroup) or a
/// v1 host (one per controller, /sys/fs/cgroup/CONTROLLER), for the counters runc does not report.
/// </summary>
internal static class CgroupFiles
{
    private const string Root = "/sys/fs/cgroup";

    /// <summary>True on a cgroup v2 (unified) host: its root has cgroup.controllers.</summary>
    public static bool IsUnified => File.Exists(Path.Combine(Root, "cgroup.controllers"));

    /// <summary>
    /// How many processes of the cgroup the kernel's OOM killer has killed: v2 memory.events'
    /// oom_kill, v1 memory.oom_control's oom_kill (kernel 4.13 and later); 0 when unknown.
    /// </summary>
    public static long OomKills(string cgroupsPath)
    {
        var file = IsUnified
            ? Path.Combine(Root + cgroupsPath, "memory.events")
            : Path.Combine(Root + "/memory" + cgroupsPath, "memory.oom_control");
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == "oom_kill" && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kills))
                {
                    return kills;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No memory controller for it, or already removed.
        }
        return 0;
    }

    /// <summary>True when swap can be limited: always on v2 (memory.swap.max), on v1 only with swap accounting (memory.memsw.*).</summary>
    public static bool SwapLimitSupported => IsUnified || File.Exists(Path.Combine(Root, "memory", "memory.memsw.limit_in_bytes"));
}
