using Netstack.Core;
using Netstack.Linux;

namespace Netstack.Drivers.Macvlan;

/// <summary>The <c>macvlan_mode</c> option: Docker's names for the kernel's macvlan modes.</summary>
internal static class MacvlanModes
{
    /// <summary>Docker's default: macvlans on one parent talk to each other inside the kernel.</summary>
    public const MacvlanMode Default = MacvlanMode.Bridge;

    public static MacvlanMode Parse(string? value) => value switch
    {
        null or "" => Default,
        "bridge" => MacvlanMode.Bridge,
        "private" => MacvlanMode.Private,
        "vepa" => MacvlanMode.Vepa,
        "passthru" => MacvlanMode.Passthru,
        _ => throw new InvalidParameterException(MacvlanOptionNames.Mode, value, "must be one of bridge, private, vepa, passthru"),
    };

    public static string Name(MacvlanMode mode) => mode switch
    {
        MacvlanMode.Bridge => "bridge",
        MacvlanMode.Private => "private",
        MacvlanMode.Vepa => "vepa",
        MacvlanMode.Passthru => "passthru",
        _ => mode.ToString(),
    };
}
