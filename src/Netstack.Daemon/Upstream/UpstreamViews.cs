using Netstack.Api.Contracts.Upstream;
using Netstack.Upstream;
using Netstack.Upstream.Mapping;

namespace Netstack.Daemon.Upstream;

/// <summary>The mapper's views as the API's contracts.</summary>
internal static class UpstreamViews
{
    public static UpstreamPortBinding ToBinding(MappingView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new UpstreamPortBinding
        {
            HostPort = view.InternalPort,
            State = view.State switch
            {
                MappingState.Mapped => "mapped",
                MappingState.Failed => "failed",
                _ => "pending",
            },
            Protocol = view.Protocol is { } p ? UpstreamNames.Of(p) : "",
            ExternalIp = view.ExternalAddress?.ToString() ?? "",
            ExternalPort = view.ExternalPort ?? 0,
            LeaseEnds = view.LeaseEnds is { } ends && view.State == MappingState.Mapped ? Mapping.NetworkMapper.Timestamp(ends) : "",
            Renewals = view.Renewals,
            Recreated = view.Recreated,
            Error = view.Error ?? "",
        };
    }

    public static string PortKey(MappingView view) => $"{view.ContainerPort}/{UpstreamNames.Of(view.Transport)}";

    /// <summary>A container's <c>NetworkSettings.UpstreamPorts</c>; null when it has no mapping (the field is left out).</summary>
    public static Dictionary<string, List<UpstreamPortBinding>>? PortsOf(PortMapper? mapper, string containerId)
    {
        if (mapper is null || !mapper.Enabled)
        {
            return null;
        }
        var views = mapper.MappingsOf(containerId);
        if (views.Count == 0)
        {
            return null;
        }
        return views.GroupBy(PortKey).ToDictionary(g => g.Key, g => g.Select(ToBinding).ToList(), StringComparer.Ordinal);
    }

    public static UpstreamStatus ToStatus(MapperStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new UpstreamStatus
        {
            Mode = PortMapperOptions.Name(status.Mode),
            State = status.State,
            Gateway = status.Gateway?.ToString() ?? "",
            LocalAddress = status.LocalAddress?.ToString() ?? "",
            Protocol = status.Protocol is { } p ? UpstreamNames.Of(p) : "",
            ControlUrl = status.ControlUrl ?? "",
            ExternalAddress = status.ExternalAddress?.ToString() ?? "",
            Error = status.Error ?? "",
            Attempts = [.. status.Attempts],
            Leftovers = status.Leftovers,
            Mappings = status.Mappings.Select(m => new UpstreamMapping
            {
                ContainerId = m.OwnerId,
                ContainerName = m.OwnerName,
                Port = PortKey(m),
                Binding = ToBinding(m),
            }).ToList(),
        };
    }
}
