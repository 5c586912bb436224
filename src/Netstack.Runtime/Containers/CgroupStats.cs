using System.Globalization;

namespace Netstack.Runtime.Containers;

/// <summary>
/// Reads a process's cgroup counters on a v2 host (one directory, /sys/fs/cgroup + the path in
/// /proc/PID/cgroup's "0::" line) or a v1 host (a directory per controller, from the line naming
/// it). Finding them through /proc/PID/cgroup rather than our cgroups path also works where the
/// daemon itself runs in a nested cgroup namespace.
/// </summary>
internal static class CgroupStats
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    // USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture we run on.
    private const ulong NanosecondsPerTick = 10_000_000;

    /// <param name="root">The cgroup mount point; <paramref name="proc"/> is procfs. Tests point both at a tree of their own.</param>
    public static ContainerStats Read(int pid, DateTimeOffset now, string root = CgroupRoot, string proc = "/proc")
    {
        var dirs = Directories(pid, root, proc);
        var unified = dirs.ContainsKey("");
        string Dir(string controller) => unified ? dirs[""] : dirs.GetValueOrDefault(controller, "");
        var memStat = ReadKeyValues(Path.Combine(Dir("memory"), "memory.stat"));
        var hostMemory = HostMemoryBytes(Path.Combine(proc, "meminfo"));
        ContainerStats stats;
        if (unified)
        {
            var cpu = ReadKeyValues(Path.Combine(Dir("cpu"), "cpu.stat"));
            var limit = ReadNumber(Path.Combine(Dir("memory"), "memory.max"));
            stats = new ContainerStats
            {
                CpuTotalNanoseconds = cpu.GetValueOrDefault("usage_usec") * 1000,
                CpuUserNanoseconds = cpu.GetValueOrDefault("user_usec") * 1000,
                CpuSystemNanoseconds = cpu.GetValueOrDefault("system_usec") * 1000,
                MemoryUsage = ReadNumber(Path.Combine(Dir("memory"), "memory.current")) ?? 0,
                MemoryMaxUsage = ReadNumber(Path.Combine(Dir("memory"), "memory.peak")) ?? 0,
                MemoryLimit = Math.Min(limit ?? ulong.MaxValue, hostMemory),
                PidsLimit = ReadNumber(Path.Combine(Dir("pids"), "pids.max")),
                PidsCurrent = ReadNumber(Path.Combine(Dir("pids"), "pids.current")) ?? 0,
                BlockIo = ReadIoStat(Path.Combine(Dir("io"), "io.stat")),
            };
        }
        else
        {
            var acct = Dir("cpuacct");
            var perCpu = ReadLine(Path.Combine(acct, "cpuacct.usage_percpu"))?
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .ToList() ?? [];
            // cpuacct.stat counts user and system time in ticks.
            var times = ReadKeyValues(Path.Combine(acct, "cpuacct.stat"));
            var limit = ReadNumber(Path.Combine(Dir("memory"), "memory.limit_in_bytes"));
            stats = new ContainerStats
            {
                CpuTotalNanoseconds = ReadNumber(Path.Combine(acct, "cpuacct.usage")) ?? 0,
                CpuUserNanoseconds = times.GetValueOrDefault("user") * NanosecondsPerTick,
                CpuSystemNanoseconds = times.GetValueOrDefault("system") * NanosecondsPerTick,
                PerCpuNanoseconds = perCpu,
                MemoryUsage = ReadNumber(Path.Combine(Dir("memory"), "memory.usage_in_bytes")) ?? 0,
                MemoryMaxUsage = ReadNumber(Path.Combine(Dir("memory"), "memory.max_usage_in_bytes")) ?? 0,
                // v1 says "unlimited" with a huge number (PAGE_COUNTER_MAX pages); the host's memory is the real bound.
                MemoryLimit = Math.Min(limit ?? ulong.MaxValue, hostMemory),
                PidsLimit = ReadNumber(Path.Combine(Dir("pids"), "pids.max")),
                PidsCurrent = ReadNumber(Path.Combine(Dir("pids"), "pids.current")) ?? 0,
                BlockIo = ReadBlkio(Path.Combine(Dir("blkio"), "blkio.throttle.io_service_bytes_recursive"))
                    is { Count: > 0 } recursive ? recursive : ReadBlkio(Path.Combine(Dir("blkio"), "blkio.throttle.io_service_bytes")),
            };
        }
        return stats with
        {
            Read = now,
            MemoryStat = memStat,
            SystemCpuNanoseconds = SystemCpuNanoseconds(Path.Combine(proc, "stat")),
            OnlineCpus = OnlineCpus(),
        };
    }

    /// <summary>controller → directory; on v2 the single directory under the key "".</summary>
    internal static Dictionary<string, string> Directories(int pid, string root = CgroupRoot, string proc = "/proc")
    {
        var dirs = new Dictionary<string, string>(StringComparer.Ordinal);
        var unified = File.Exists(Path.Combine(root, "cgroup.controllers"));
        foreach (var line in File.ReadLines(Path.Combine(proc, pid.ToString(CultureInfo.InvariantCulture), "cgroup")))
        {
            // hierarchy-ID:controller-list:path (cgroups(7)); v2 is "0::PATH".
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            if (unified)
            {
                if (parts[0] == "0")
                {
                    dirs[""] = root + parts[2];
                }
                continue;
            }
            foreach (var controller in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                // The mount is named after the controller list ("cpu,cpuacct") or a controller of it.
                var mount = Directory.Exists(Path.Combine(root, parts[1])) ? parts[1] : controller;
                dirs[controller] = root + "/" + mount + parts[2];
            }
        }
        return dirs;
    }

    /// <summary>/proc/stat's first line: user, nice, system, idle, iowait, irq, softirq ticks of all CPUs (the seven Docker sums).</summary>
    internal static ulong SystemCpuNanoseconds(string statFile = "/proc/stat")
    {
        var line = ReadLine(statFile);
        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return 0;
        }
        ulong ticks = 0;
        foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7))
        {
            ticks += ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        }
        return ticks * NanosecondsPerTick;
    }

    /// <summary>CPUs online (/sys/devices/system/cpu/online, a list such as <c>0-3,6</c>).</summary>
    internal static int OnlineCpus()
    {
        var text = ReadLine("/sys/devices/system/cpu/online");
        var count = 0;
        foreach (var range in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                count++;
            }
            else if (int.TryParse(range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to) && to >= from)
            {
                count += to - from + 1;
            }
        }
        return count > 0 ? count : Environment.ProcessorCount;
    }

    private static ulong HostMemoryBytes(string meminfoFile)
    {
        var meminfo = ReadKeyValues(meminfoFile, separator: ':');
        // "MemTotal:       16315516 kB"
        return meminfo.TryGetValue("MemTotal", out var kib) ? kib * 1024 : ulong.MaxValue;
    }

    /// <summary>Lines "KEY VALUE" (or "KEY: VALUE kB" with <paramref name="separator"/>); an absent file is empty.</summary>
    internal static Dictionary<string, ulong> ReadKeyValues(string path, char separator = ' ')
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var at = line.IndexOf(separator, StringComparison.Ordinal);
                if (at <= 0)
                {
                    continue;
                }
                var rest = line[(at + 1)..].Trim();
                var end = rest.IndexOf(' ', StringComparison.Ordinal);
                if (ulong.TryParse(end < 0 ? rest : rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    values[line[..at]] = value;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No such controller for this cgroup, or the cgroup is gone.
        }
        return values;
    }

    /// <summary>v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device.</summary>
    internal static List<BlockIoEntry> ReadIoStat(string path)
    {
        var entries = new List<BlockIoEntry>();
        foreach (var line in ReadLines(path))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || !TryDevice(fields[0], out var major, out var minor))
            {
                continue;
            }
            foreach (var field in fields.Skip(1))
            {
                var (key, value) = field.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq ? (field[..eq], field[(eq + 1)..]) : (field, "");
                if (key is "rbytes" or "wbytes" && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    entries.Add(new BlockIoEntry(major, minor, key == "rbytes" ? "read" : "write", n));
                }
            }
        }
        return entries;
    }

    /// <summary>v1 blkio: "MAJ:MIN Read N" lines (and Write, Sync, Async, Discard, Total); only Read and Write kept.</summary>
    internal static List<BlockIoEntry> ReadBlkio(string path)
    {
        var entries = new List<BlockIoEntry>();
        foreach (var line in ReadLines(path))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3 && fields[1] is "Read" or "Write" && TryDevice(fields[0], out var major, out var minor)
                && ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                entries.Add(new BlockIoEntry(major, minor, fields[1] == "Read" ? "read" : "write", n));
            }
        }
        return entries;
    }

    private static bool TryDevice(string text, out ulong major, out ulong minor)
    {
        minor = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return ulong.TryParse(colon < 0 ? "" : text[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out major)
            && ulong.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out minor);
    }

    /// <summary>A file holding one number, or "max" (null: unlimited); null when absent.</summary>
    private static ulong? ReadNumber(string path) =>
        ulong.TryParse(ReadLine(path), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? ReadLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
