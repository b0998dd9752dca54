namespace Overlay.Observer.Web.Api;

/// <summary>The answer to every control action: the node's acknowledgement, or why there is none.</summary>
/// <param name="Ok">The node acknowledged the command.</param>
/// <param name="Action">What was asked ("bandwidth", "link-bandwidth", "deploy-source", …).</param>
/// <param name="Node">The node's display name, when the request named a known node.</param>
/// <param name="Message">The acknowledgement or the error, for people.</param>
internal sealed record CommandResult(bool Ok, string Action, string? Node, string Message);
