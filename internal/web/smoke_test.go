package web
import ("testing";"fmt")
func TestSmoke(t *testing.T){
 s:=newTestSite(t)
 tok:=s.login(t,"/login",adminEmail)
 for _,p:=range []string{"/","/customers","/customers?q=lopez",fmt.Sprintf("/customers/%d",s.maria.ID),fmt.Sprintf("/accounts/%d",s.mariaAcct.ID),fmt.Sprintf("/accounts/%d",s.hillAcct.ID),"/audit","/customers/new"}{
  w:=s.get(t,p,tok); t.Logf("%s %d %d bytes", p, w.Code, w.Body.Len()); if w.Code!=200 {t.Errorf("%s: %s",p,w.Body)}
 }
 ct:=s.login(t,"/my/login",danaEmail)
 for _,p:=range []string{"/my/",fmt.Sprintf("/my/accounts/%d",s.danaAcct.ID),fmt.Sprintf("/my/accounts/%d",s.mariaAcct.ID)}{
  w:=s.get(t,p,ct); t.Logf("%s %d %d bytes", p, w.Code, w.Body.Len()); if w.Code!=200 {t.Logf("%s: %.300s",p,w.Body)}
 }
}
