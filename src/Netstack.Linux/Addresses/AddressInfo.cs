namespace Netstack.Linux;

/// <summary>An address as the kernel lists it (RTM_NEWADDR), what <c>ip addr show</c> prints.</summary>
public sealed record AddressInfo(int LinkIndex, InterfaceAddress Address, byte Scope, uint Flags, string? Label);
