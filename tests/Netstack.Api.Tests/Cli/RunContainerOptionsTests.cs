using Netstack.Api.Contracts.Containers;
using Netstack.Api.Mounts;
using Netstack.Cli;
using Netstack.Cli.Commands.Containers;
using Netstack.Cli.Parsing;
using Xunit;

namespace Netstack.Api.Tests.Cli;

/// <summary>run's mount, DNS, env-file and stop flags into the engine request; the mount syntax as both sides parse it; stats' columns.</summary>
public sealed class RunContainerOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netstack-runflags-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Run_MountDnsAndStopFlags_BuildTheEngineRequest()
    {
        var parse = CliApp.Parse(new CliContext(_ => null),
            "run", "-d", "-v", "/srv:/data:ro", "--mount", "type=tmpfs,target=/cache,tmpfs-size=64m,tmpfs-mode=1770",
            "--mount", "type=bind,src=/logs,dst=/logs,readonly,bind-propagation=rshared", "--tmpfs", "/run:size=8m", "--tmpfs", "/tmp",
            "--read-only", "-u", "www-data:www-data", "--dns-search", "corp.example", "--dns-option", "ndots:2",
            "--stop-signal", "SIGUSR1", "--stop-timeout", "3", "busybox", "true");
        Assert.Empty(parse.Errors);

        var request = RunCommand.BuildRequest(parse, _ => null);

        var host = request.HostConfig!;
        Assert.Equal(["/srv:/data:ro"], host.Binds!);
        Assert.Equal(("tmpfs", "/cache", 64L * 1024 * 1024, 0x3F8), (host.Mounts![0].Type, host.Mounts[0].Target, host.Mounts[0].TmpfsOptions!.SizeBytes, host.Mounts[0].TmpfsOptions!.Mode));
        Assert.Equal(("bind", "/logs", true, "rshared"), (host.Mounts[1].Type, host.Mounts[1].Source, host.Mounts[1].ReadOnly, host.Mounts[1].BindOptions!.Propagation));
        Assert.Equal(new Dictionary<string, string> { ["/run"] = "size=8m", ["/tmp"] = "" }, host.Tmpfs);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal("www-data:www-data", request.User);
        Assert.Equal(["corp.example"], host.DnsSearch!);
        Assert.Equal(["ndots:2"], host.DnsOptions!);
        Assert.Equal(("SIGUSR1", 3), (request.StopSignal, request.StopTimeout));
    }

    [Theory]
    [InlineData("-v", "/srv:data", "not absolute")]
    [InlineData("-v", "srv:/data", "named volumes")]
    [InlineData("-v", "/srv:/data:rx", "unknown mount option \"rx\"")]
    [InlineData("-v", "/srv", "HOSTPATH:CONTAINERPATH")]
    [InlineData("--tmpfs", "/run:size=big", "size=big")]
    [InlineData("--tmpfs", "/run:mode=999", "mode=999")]
    [InlineData("--tmpfs", "/run:colour", "unknown tmpfs option")]
    [InlineData("--tmpfs", "/", "root")]
    [InlineData("--mount", "type=volume,src=x,dst=/x", "not supported")]
    [InlineData("--mount", "type=bind,src=/x,dst=/y,bind-propagation=sideways", "sideways")]
    [InlineData("--mount", "type=tmpfs,dst=/y,tmpfs-mode=9", "tmpfs-mode")]
    [InlineData("--stop-signal", "SIGNOPE", "signal")]
    [InlineData("--dns-option", "ndots: 2", "blanks")]
    public void Run_BadMountOrFlag_IsAParseErrorNamingFlagAndValue(string flag, string value, string why)
    {
        var parse = CliApp.Parse(new CliContext(_ => null), "run", "-d", flag, value, "busybox", "true");

        var error = Assert.Single(parse.Errors).Message;
        Assert.Contains(value, error, StringComparison.Ordinal);
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvFile_DockersFormat_CommentsBlanksBareNamesAndLaterFlagsWin()
    {
        var file = Path.Combine(_dir, "a.env");
        File.WriteAllText(file, "\uFEFFFIRST=1\n# comment\n\n   SPACED=a b  \nEMPTY=\nFROM_SHELL\nNOT_SET\nA=file\n");
        var parse = CliApp.Parse(new CliContext(_ => null), "run", "-d", "--env-file", file, "-e", "A=flag", "busybox", "true");

        var request = RunCommand.BuildRequest(parse, name => name == "FROM_SHELL" ? "s" : null);

        Assert.Equal(["FIRST=1", "SPACED=a b  ", "EMPTY=", "FROM_SHELL=s", "A=file", "A=flag"], request.Env!);
    }

    [Fact]
    public void EnvFile_MissingOrABadName_FailsNamingTheFileAndLine()
    {
        var missing = Path.Combine(_dir, "none.env");
        var e = Assert.Throws<FormatException>(() => EnvFiles.Read(missing, _ => null));
        Assert.Contains("--env-file", e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        var bad = Path.Combine(_dir, "bad.env");
        File.WriteAllText(bad, "OK=1\nMY VAR=2\n");
        Assert.Contains("line 2", Assert.Throws<FormatException>(() => EnvFiles.Read(bad, _ => null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MountSpecs_BindOptionsAndTmpfsFromTheEngine()
    {
        Assert.Equal(["rslave"], MountSpecs.ParseBind("/a:/b:ro,rslave").Options);
        Assert.False(MountSpecs.ParseBind("/a:/b:rw").ReadOnly);
        var tmpfs = MountSpecs.FromEngine(new Mount { Type = "tmpfs", Target = "/t", TmpfsOptions = new MountTmpfsOptions { SizeBytes = 4096, Mode = 0x1FF } });
        Assert.Equal(["size=4096", "mode=777"], tmpfs.Options);
        Assert.True(MountSpecs.ParseTmpfs("/t:ro,size=1m").ReadOnly);
    }

    [Fact]
    public void Stats_ColumnsAsTheDockerCliComputesThem()
    {
        var stats = new ContainerStatsResponse
        {
            Id = new string('a', 64),
            Name = "/web",
            CpuStats = new CpuStats { CpuUsage = new CpuUsage { TotalUsage = 3_000_000_000 }, SystemCpuUsage = 20_000_000_000, OnlineCpus = 2 },
            PreCpuStats = new CpuStats { CpuUsage = new CpuUsage { TotalUsage = 2_000_000_000 }, SystemCpuUsage = 18_000_000_000, OnlineCpus = 2 },
            // v1 page cache left out: 10 MiB used, 2 MiB of it inactive file pages.
            MemoryStats = new MemoryStats { Usage = 10 * 1024 * 1024, Limit = 64 * 1024 * 1024, Stats = new() { ["total_inactive_file"] = 2 * 1024 * 1024 } },
            Networks = new() { ["eth0"] = new NetworkStats { RxBytes = 1500, TxBytes = 2_500_000 } },
            BlkioStats = new BlkioStats { IoServiceBytesRecursive = [new BlkioStatEntry { Op = "read", Value = 4096 }, new BlkioStatEntry { Op = "Write", Value = 1_000_000 }] },
            PidsStats = new PidsStats { Current = 4 },
        };

        var writer = new StringWriter();
        StatsCommand.Render([stats]).WriteTo(writer);
        var row = writer.ToString().Split('\n')[1];

        // (1e9 / 2e9) * 2 CPUs * 100 = 100 %.
        Assert.Equal(100.0, StatsCommand.CpuPercent(stats), 6);
        Assert.Equal(["aaaaaaaaaaaa", "web", "100.00%", "8MiB", "/", "64MiB", "12.50%", "1.5kB", "/", "2.5MB", "4.096kB", "/", "1MB", "4"],
            row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
