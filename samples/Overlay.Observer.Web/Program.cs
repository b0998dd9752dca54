using Overlay.Observer.Web;

// The observer dashboard: a web page showing the overlay live, with a control panel.
// Usage: dotnet run -c Release --project samples/Overlay.Observer.Web -- --demo
//        [--urls http://127.0.0.1:5080] [--observer-port N] [--secret S] [--trace-log PATH]; --help for all.
var root = DashboardOptions.Command();
root.SetAction(async (parseResult, cancellationToken) =>
{
    var options = DashboardOptions.From(parseResult, out var hostArgs);
    await DashboardApp.Build(options, hostArgs).RunAsync(cancellationToken);
    return 0;
});
return await root.Parse(args).InvokeAsync();
