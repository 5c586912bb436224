using System.Runtime.Versioning;

// netstackd drives Linux kernel objects (namespaces, netlink, iptables) and unix sockets only.
[assembly: SupportedOSPlatform("linux")]
