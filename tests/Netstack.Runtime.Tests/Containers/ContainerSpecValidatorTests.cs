using Netstack.Runtime.Containers;
using Xunit;

namespace Netstack.Runtime.Tests.Containers;

public sealed class ContainerSpecValidatorTests
{
    private static ContainerSpec Valid => new() { Image = "busybox", Cmd = ["true"] };

    [Fact]
    public void Validate_MinimalSpec_Passes() => ContainerSpecValidator.Validate(Valid);

    [Fact]
    public void Validate_FullSpec_Passes() => ContainerSpecValidator.Validate(new ContainerSpec
    {
        Image = "busybox",
        Cmd = ["httpd", "-f"],
        Env = ["A=1", "EMPTY="],
        Hostname = "web-1.example",
        WorkingDir = "/var/www",
        Networks = [new ContainerNetworkRequest("web", "10.20.0.5", "fd00::5", ["api"])],
        Ports = [new PortRequest(80, "tcp", "127.0.0.1", 8080), new PortRequest(53, "udp")],
        Dns = ["10.0.0.2", "fd00::53"],
    });

    public static TheoryData<ContainerSpec, string> BadSpecs => new()
    {
        { new ContainerSpec { Image = "busybox" }, "cmd is empty" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Env = ["NOEQUALS"] }, "\"NOEQUALS\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Env = ["=v"] }, "\"=v\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Hostname = "bad_host" }, "\"bad_host\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Hostname = new string('h', 65) }, "invalid hostname" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], WorkingDir = "relative" }, "\"relative\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Ports = [new PortRequest(0)] }, "container port 0" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Ports = [new PortRequest(80, "tcp", null, 70000)] }, "host port 70000" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Ports = [new PortRequest(80, "sctp")] }, "\"sctp\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Ports = [new PortRequest(80, "tcp", "1.2.3")] }, "\"1.2.3\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Networks = [new ContainerNetworkRequest("web", "fd00::1")] }, "ipv4 address \"fd00::1\"" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Networks = [new ContainerNetworkRequest(" ")] }, "network name is empty" },
        { new ContainerSpec { Image = "busybox", Cmd = ["true"], Dns = ["dns.example"] }, "\"dns.example\"" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Validate_BadField_ThrowsInvalidArgumentNamingIt(ContainerSpec spec, string expected)
    {
        var error = Assert.Throws<RuntimeException>(() => ContainerSpecValidator.Validate(spec));
        Assert.Equal(RuntimeErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
