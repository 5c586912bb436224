namespace Netstack.Runtime.Containers;

/// <summary>
/// A mount into a container: a host directory or file bound at <paramref name="Destination"/>
/// (<c>-v HOSTDIR:CTRDIR[:ro]</c>, <c>--mount type=bind</c>) or a tmpfs there (<c>--tmpfs
/// CTRDIR[:opts]</c>). <paramref name="Options"/> are mount(8) options as the OCI spec carries them
/// (a tmpfs's <c>size=64m</c>, <c>mode=1777</c>; a bind's propagation such as <c>rshared</c>).
/// </summary>
public sealed record ContainerMount(string Type, string? Source, string Destination, bool ReadOnly, IReadOnlyList<string> Options)
{
    public const string Bind = "bind";

    public const string Tmpfs = "tmpfs";
}
