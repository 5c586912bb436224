using System.Globalization;
using Netstack.Api.Contracts.Containers;
using Netstack.Api.Contracts.Networks;
using Netstack.Core;
using Netstack.Runtime.Containers;
using EnginePortBinding = Netstack.Api.Contracts.Containers.PortBinding;
using RuntimeState = Netstack.Runtime.Containers.ContainerState;

namespace Netstack.Daemon.Mapping;

/// <summary>Runtime records plus their sandboxes to the engine's container JSON.</summary>
internal static class ContainerMapper
{
    public static string StateName(RuntimeState state) => state switch
    {
        RuntimeState.Running => "running",
        RuntimeState.Exited => "exited",
        _ => "created",
    };

    /// <summary>docker ps's STATUS text: "Up 3 minutes", "Exited (0) 5 seconds ago", "Created".</summary>
    public static string StatusText(ContainerInfo info, DateTimeOffset now) => info.State switch
    {
        RuntimeState.Running => "Up " + Duration(now - (info.StartedAt ?? info.Created)),
        RuntimeState.Exited => $"Exited ({(info.ExitCode ?? ContainerRuntime.UnknownExitCode).ToString(CultureInfo.InvariantCulture)}) {Duration(now - (info.FinishedAt ?? info.Created))} ago",
        _ => "Created",
    };

    public static ContainerSummary ToSummary(ContainerInfo info, SandboxInfo? sandbox, DateTimeOffset now) => new()
    {
        Id = info.Id,
        Names = ["/" + info.Name],
        Image = info.Image,
        ImageID = "sha256:" + info.ImageId,
        Command = string.Join(' ', info.Cmd),
        Created = info.Created.ToUnixTimeSeconds(),
        Ports = Ports(info, sandbox),
        Labels = new Dictionary<string, string>(info.Labels, StringComparer.Ordinal),
        State = StateName(info.State),
        Status = StatusText(info, now),
        HostConfig = new SummaryHostConfig { NetworkMode = info.NetworkMode ?? (info.Networks.Count == 0 ? "none" : info.Networks[0].Network) },
        NetworkSettings = new SummaryNetworkSettings { Networks = Networks(sandbox) },
    };

    public static ContainerInspect ToInspect(ContainerInfo info, SandboxInfo? sandbox)
    {
        var exposed = info.Ports.ToDictionary(p => Key(p.ContainerPort, p.Protocol), _ => new EmptyObject(), StringComparer.Ordinal);
        var configured = new Dictionary<string, List<EnginePortBinding>>(StringComparer.Ordinal);
        foreach (var port in info.Ports)
        {
            var key = Key(port.ContainerPort, port.Protocol);
            if (!configured.TryGetValue(key, out var list))
            {
                list = [];
                configured[key] = list;
            }
            list.Add(new EnginePortBinding { HostIp = port.HostIp ?? "", HostPort = port.HostPort == 0 ? "" : port.HostPort.ToString(CultureInfo.InvariantCulture) });
        }
        var cmd = info.Cmd;
        return new ContainerInspect
        {
            Id = info.Id,
            Created = NetworkMapper.Timestamp(info.Created),
            Path = cmd.Count > 0 ? cmd[0] : "",
            Args = cmd.Skip(1).ToList(),
            State = new Api.Contracts.Containers.ContainerState
            {
                Status = StateName(info.State),
                Running = info.State == RuntimeState.Running,
                Pid = info.State == RuntimeState.Running ? info.Pid : 0,
                ExitCode = info.ExitCode ?? 0,
                OOMKilled = info.OomKilled,
                StartedAt = info.StartedAt is { } started ? NetworkMapper.Timestamp(started) : "0001-01-01T00:00:00Z",
                FinishedAt = info.FinishedAt is { } finished ? NetworkMapper.Timestamp(finished) : "0001-01-01T00:00:00Z",
            },
            Image = "sha256:" + info.ImageId,
            LogPath = info.LogPath,
            Name = "/" + info.Name,
            RestartCount = info.RestartCount,
            Driver = "overlay",
            Config = new ContainerConfig
            {
                Hostname = info.Hostname,
                Env = [.. info.Env],
                Cmd = [.. info.Cmd],
                Image = info.Image,
                WorkingDir = info.WorkingDir,
                Labels = new Dictionary<string, string>(info.Labels, StringComparer.Ordinal),
                ExposedPorts = exposed.Count == 0 ? null : exposed,
                User = info.User ?? "",
                StopSignal = info.StopSignal,
                StopTimeout = info.StopTimeout,
                Tty = info.Tty,
                OpenStdin = info.OpenStdin,
                StdinOnce = info.StdinOnce,
                AttachStdin = info.OpenStdin,
                AttachStdout = true,
                AttachStderr = true,
            },
            HostConfig = new HostConfig
            {
                NetworkMode = info.NetworkMode ?? (info.Networks.Count == 0 ? "none" : info.Networks[0].Network),
                PortBindings = configured,
                Dns = [.. info.Dns],
                ExtraHosts = info.ExtraHosts.Count == 0 ? null : [.. info.ExtraHosts],
                AutoRemove = info.AutoRemove,
                ConsoleSize = info.ConsoleSize is { } size ? [.. size] : [0, 0],
                RestartPolicy = new RestartPolicy { Name = info.RestartPolicy?.Name ?? "no", MaximumRetryCount = info.RestartPolicy?.MaximumRetryCount ?? 0 },
                Memory = info.Resources?.MemoryBytes ?? 0,
                MemorySwap = info.Resources?.MemorySwapBytes ?? 0,
                // As asked: --cpus comes back as NanoCpus, a quota of its own as CpuQuota/CpuPeriod.
                NanoCpus = info.Resources is { CpuPeriod: ResourceLimitsPeriod, CpuQuota: > 0 } r ? r.CpuQuota * 1_000_000_000 / ResourceLimitsPeriod : 0,
                CpuShares = info.Resources?.CpuShares ?? 0,
                PidsLimit = info.Resources is { PidsLimit: > 0 } p ? p.PidsLimit : null,
                CpusetCpus = info.Resources?.CpusetCpus ?? "",
                Binds = info.Mounts.Any(m => m.Type == ContainerMount.Bind)
                    ? [.. info.Mounts.Where(m => m.Type == ContainerMount.Bind).Select(m => m.Source + ":" + m.Destination + BindMode(m))]
                    : null,
                Tmpfs = info.Mounts.Any(m => m.Type == ContainerMount.Tmpfs)
                    ? info.Mounts.Where(m => m.Type == ContainerMount.Tmpfs).ToDictionary(m => m.Destination, m => string.Join(',', TmpfsOptions(m)), StringComparer.Ordinal)
                    : null,
                ReadonlyRootfs = info.ReadonlyRootfs,
                DnsSearch = [.. info.DnsSearch],
                DnsOptions = [.. info.DnsOptions],
            },
            Mounts = [.. info.Mounts.Select(m => new MountPoint
            {
                Type = m.Type,
                Source = m.Source ?? "",
                Destination = m.Destination,
                Mode = m.Type == ContainerMount.Bind ? BindMode(m).TrimStart(':') : string.Join(',', TmpfsOptions(m)),
                RW = !m.ReadOnly,
                Propagation = m.Type == ContainerMount.Bind ? m.Options.FirstOrDefault() ?? "rprivate" : "",
            })],
            NetworkSettings = new ContainerNetworkSettings
            {
                SandboxId = sandbox?.Id ?? "",
                SandboxKey = sandbox?.Key ?? "",
                Ports = PublishedPorts(info, sandbox),
                Networks = Networks(sandbox),
            },
        };
    }

    /// <summary>A bind's options as <c>-v</c> writes them after the second colon (<c>:ro</c>, <c>:ro,rshared</c>), empty for none.</summary>
    private static string BindMode(ContainerMount mount)
    {
        var options = (mount.ReadOnly ? new[] { "ro" } : []).Concat(mount.Options).ToList();
        return options.Count == 0 ? "" : ":" + string.Join(',', options);
    }

    private static IEnumerable<string> TmpfsOptions(ContainerMount mount) => mount.ReadOnly ? mount.Options.Append("ro") : mount.Options;

    private const long ResourceLimitsPeriod = Api.Resources.ResourceLimits.CpuPeriodMicros;

    private static Dictionary<string, EndpointSettings> Networks(SandboxInfo? sandbox)
    {
        var networks = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        // The gateway network's endpoint (netstack_gwbridge) is plumbing, hidden as Docker hides docker_gwbridge's.
        foreach (var endpoint in (sandbox?.Endpoints ?? []).Where(e => !e.Anonymous))
        {
            networks[endpoint.NetworkName] = new EndpointSettings
            {
                Aliases = [.. endpoint.Aliases],
                // The default bridge has no resolver (Docker's behaviour), so no names there.
                DnsNames = Dns.DefaultNetwork.HasResolver(endpoint) ? [.. endpoint.DnsNames] : null,
                NetworkId = endpoint.NetworkId,
                EndpointId = endpoint.Id,
                Gateway = endpoint.Gateway?.ToString() ?? "",
                IPAddress = endpoint.IPv4Address?.Address.ToString() ?? "",
                IPPrefixLen = endpoint.IPv4Address?.PrefixLength ?? 0,
                IPv6Gateway = endpoint.GatewayIPv6?.ToString() ?? "",
                GlobalIPv6Address = endpoint.IPv6Address?.Address.ToString() ?? "",
                GlobalIPv6PrefixLen = endpoint.IPv6Address?.PrefixLength ?? 0,
                MacAddress = endpoint.MacAddress,
            };
        }
        return networks;
    }

    // Ports as programmed (host ports the driver picked) when running, else as asked.
    private static List<PortSummary> Ports(ContainerInfo info, SandboxInfo? sandbox)
    {
        var programmed = sandbox?.Endpoints.SelectMany(e => e.PublishedPorts).ToList() ?? [];
        if (programmed.Count > 0)
        {
            return programmed.Select(p => new PortSummary
            {
                IP = p.HostIp?.ToString() ?? "0.0.0.0",
                PrivatePort = p.ContainerPort,
                PublicPort = p.HostPort,
                Type = p.Protocol.ToString().ToLowerInvariant(),
            }).ToList();
        }
        return info.Ports.Select(p => new PortSummary { PrivatePort = p.ContainerPort, Type = p.Protocol }).ToList();
    }

    private static Dictionary<string, List<EnginePortBinding>?> PublishedPorts(ContainerInfo info, SandboxInfo? sandbox)
    {
        var ports = new Dictionary<string, List<EnginePortBinding>?>(StringComparer.Ordinal);
        foreach (var port in info.Ports)
        {
            ports[Key(port.ContainerPort, port.Protocol)] = null;
        }
        foreach (var binding in sandbox?.Endpoints.SelectMany(e => e.PublishedPorts) ?? [])
        {
            var key = Key(binding.ContainerPort, binding.Protocol.ToString().ToLowerInvariant());
            var list = ports.GetValueOrDefault(key) ?? [];
            list.Add(new EnginePortBinding { HostIp = binding.HostIp?.ToString() ?? "0.0.0.0", HostPort = binding.HostPort.ToString(CultureInfo.InvariantCulture) });
            ports[key] = list;
        }
        return ports;
    }

    private static string Key(int port, string protocol) => port.ToString(CultureInfo.InvariantCulture) + "/" + protocol;

    private static string Duration(TimeSpan span)
    {
        var seconds = Math.Max(0, span.TotalSeconds);
        return seconds switch
        {
            < 1 => "Less than a second",
            < 60 => $"{(int)seconds} seconds",
            < 120 => "About a minute",
            < 3600 => $"{(int)(seconds / 60)} minutes",
            < 7200 => "About an hour",
            < 172800 => $"{(int)(seconds / 3600)} hours",
            _ => $"{(int)(seconds / 86400)} days",
        };
    }
}
