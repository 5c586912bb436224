namespace Netstack.Linux;

/// <summary>enum rt_scope_t of include/uapi/linux/rtnetlink.h.</summary>
public enum RouteScope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}
