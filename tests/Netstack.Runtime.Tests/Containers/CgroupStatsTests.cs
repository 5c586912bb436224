using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

/// <summary>
/// The counters read from a cgroup tree laid out as the kernel lays out each version. This
/// machine's cgroups are v1 (its v2 mount holds no controllers), so the v2 path meets a real
/// kernel only elsewhere; these trees follow Documentation/admin-guide/cgroup-v2.rst and
/// cgroup-v1/*.rst for file names and line formats.
/// </summary>
public sealed class CgroupStatsTests : IDisposable
{
    private const int Pid = 4242;
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 4, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("netstack-cgroupstats-").FullName;
    private string Root => Path.Combine(_dir, "cgroup");
    private string Proc => Path.Combine(_dir, "proc");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_V2_TakesEveryCounterFromTheProcessUnifiedDirectory()
    {
        WriteProc("0::/netstack/abc\n");
        Write("cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        Write("cgroup/netstack/abc/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n");
        Write("cgroup/netstack/abc/memory.current", "8388608\n");
        Write("cgroup/netstack/abc/memory.peak", "9437184\n");
        Write("cgroup/netstack/abc/memory.max", "67108864\n");
        Write("cgroup/netstack/abc/memory.stat", "anon 4096\nfile 8192\ninactive_file 2048\n");
        Write("cgroup/netstack/abc/pids.current", "3\n");
        Write("cgroup/netstack/abc/pids.max", "100\n");
        Write("cgroup/netstack/abc/io.stat", "8:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n");

        var stats = CgroupStats.Read(Pid, Now, Root, Proc);

        Assert.Equal(Now, stats.Read);
        Assert.Equal(1_500_000UL, stats.CpuTotalNanoseconds);
        Assert.Equal(1_000_000UL, stats.CpuUserNanoseconds);
        Assert.Equal(500_000UL, stats.CpuSystemNanoseconds);
        Assert.Empty(stats.PerCpuNanoseconds);
        Assert.Equal(8_388_608UL, stats.MemoryUsage);
        Assert.Equal(9_437_184UL, stats.MemoryMaxUsage);
        Assert.Equal(67_108_864UL, stats.MemoryLimit);
        Assert.Equal(2048UL, stats.MemoryStat["inactive_file"]);
        Assert.Equal(3UL, stats.PidsCurrent);
        Assert.Equal(100UL, stats.PidsLimit);
        Assert.Equal(
            [new BlockIoEntry(8, 0, "read", 1024), new BlockIoEntry(8, 0, "write", 2048)],
            stats.BlockIo);
        // /proc/stat's first seven fields: 10+0+5+100+1+0+2 ticks of 10 ms.
        Assert.Equal(118UL * 10_000_000, stats.SystemCpuNanoseconds);
    }

    [Fact]
    public void Read_V2_UnlimitedMemoryAndPids_GiveTheHostsMemoryAndNoPidsLimit()
    {
        WriteProc("0::/c\n");
        Write("cgroup/cgroup.controllers", "memory pids\n");
        Write("cgroup/c/memory.current", "4096\n");
        Write("cgroup/c/memory.max", "max\n");
        Write("cgroup/c/pids.max", "max\n");

        var stats = CgroupStats.Read(Pid, Now, Root, Proc);

        Assert.Equal(1UL << 30, stats.MemoryLimit); // MemTotal: 1 GiB
        Assert.Null(stats.PidsLimit);
        Assert.Equal(0UL, stats.CpuTotalNanoseconds); // no cpu.stat: zero, not an error
    }

    [Fact]
    public void Read_V1_FindsEachControllerByItsOwnLine_IncludingACombinedMount()
    {
        WriteProc("12:pids:/netstack/abc\n11:cpu,cpuacct:/netstack/abc\n9:memory:/netstack/abc\n5:blkio:/netstack/abc\n1:name=systemd:/init.scope\n");
        Write("cgroup/cpu,cpuacct/netstack/abc/cpuacct.usage", "7000000\n");
        Write("cgroup/cpu,cpuacct/netstack/abc/cpuacct.usage_percpu", "3000000 4000000 \n");
        Write("cgroup/cpu,cpuacct/netstack/abc/cpuacct.stat", "user 40\nsystem 20\n");
        Write("cgroup/memory/netstack/abc/memory.usage_in_bytes", "1048576\n");
        Write("cgroup/memory/netstack/abc/memory.max_usage_in_bytes", "2097152\n");
        Write("cgroup/memory/netstack/abc/memory.limit_in_bytes", "9223372036854771712\n");
        Write("cgroup/memory/netstack/abc/memory.stat", "cache 4096\ntotal_inactive_file 1024\n");
        Write("cgroup/pids/netstack/abc/pids.current", "2\n");
        Write("cgroup/pids/netstack/abc/pids.max", "64\n");
        Write("cgroup/blkio/netstack/abc/blkio.throttle.io_service_bytes_recursive",
            "8:0 Read 512\n8:0 Write 256\n8:0 Sync 768\n8:0 Total 768\nTotal 768\n");

        var stats = CgroupStats.Read(Pid, Now, Root, Proc);

        Assert.Equal(7_000_000UL, stats.CpuTotalNanoseconds);
        Assert.Equal([3_000_000UL, 4_000_000UL], stats.PerCpuNanoseconds);
        Assert.Equal(40UL * 10_000_000, stats.CpuUserNanoseconds);
        Assert.Equal(20UL * 10_000_000, stats.CpuSystemNanoseconds);
        Assert.Equal(1_048_576UL, stats.MemoryUsage);
        Assert.Equal(2_097_152UL, stats.MemoryMaxUsage);
        Assert.Equal(1UL << 30, stats.MemoryLimit); // v1's "unlimited" is bounded by the host
        Assert.Equal(1024UL, stats.MemoryStat["total_inactive_file"]);
        Assert.Equal(2UL, stats.PidsCurrent);
        Assert.Equal(64UL, stats.PidsLimit);
        Assert.Equal(
            [new BlockIoEntry(8, 0, "read", 512), new BlockIoEntry(8, 0, "write", 256)],
            stats.BlockIo);
    }

    [Fact]
    public void Read_V1_FallsBackToTheNonRecursiveBlkioFile()
    {
        WriteProc("5:blkio:/c\n");
        Write("cgroup/blkio/c/blkio.throttle.io_service_bytes", "259:1 Read 10\n259:1 Write 20\n");

        var stats = CgroupStats.Read(Pid, Now, Root, Proc);

        Assert.Equal(
            [new BlockIoEntry(259, 1, "read", 10), new BlockIoEntry(259, 1, "write", 20)],
            stats.BlockIo);
    }

    private void WriteProc(string cgroupFile)
    {
        Write($"proc/{Pid}/cgroup", cgroupFile);
        Write("proc/meminfo", "MemTotal:        1048576 kB\nMemFree:            1024 kB\n");
        Write("proc/stat", "cpu  10 0 5 100 1 0 2 0 0 0\ncpu0 10 0 5 100 1 0 2 0 0 0\n");
        Directory.CreateDirectory(Root);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
