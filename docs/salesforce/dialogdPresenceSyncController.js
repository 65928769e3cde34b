({
    // subscribe listens for Dialogd_Presence__e events addressed to the
    // signed-in agent and applies each to Omni-Channel.
    subscribe: function (cmp) {
        var me = $A.get("$SObjectType.CurrentUser.Id");
        var omni = cmp.find("omniToolkit");
        cmp.find("empApi").subscribe("/event/Dialogd_Presence__e", -1, function (msg) {
            var ev = msg.data.payload;
            if (!ev.User_Id__c || ev.User_Id__c.substring(0, 15) !== me.substring(0, 15)) {
                return;
            }
            var done = ev.Status_Id__c
                ? omni.setServicePresenceStatus({ statusId: ev.Status_Id__c })
                : omni.logout();
            done.catch(function (err) {
                console.error("dialogd presence: " + JSON.stringify(err));
            });
        });
    }
});
